namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The original model's outputs on the evaluation samples, kept for the next comparison against the same original on
/// the same samples: a search's probes and a sweep's points each compare another candidate with one unchanged
/// original, which then runs once instead of once per candidate. The memo owns the outputs it remembers (their
/// temporary file included): replacing or disposing it deletes them.
/// </summary>
internal sealed class OriginalOutputMemo : IDisposable
{
    private string? _modelPath;
    private OriginalOutputStore? _outputs;

    /// <summary>How many times the original really ran.</summary>
    public int Runs { get; private set; }

    public OriginalOutputStore? Find(string modelPath) =>
        string.Equals(_modelPath, modelPath, StringComparison.Ordinal) ? _outputs : null;

    /// <summary>Takes <paramref name="outputs"/> over; the outputs remembered before are deleted.</summary>
    public void Remember(string modelPath, OriginalOutputStore outputs)
    {
        if (!ReferenceEquals(_outputs, outputs)) _outputs?.Dispose();
        _modelPath = modelPath;
        _outputs = outputs;
        Runs++;
    }

    public void Dispose()
    {
        _outputs?.Dispose();
        _outputs = null;
        _modelPath = null;
    }
}
