namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The original model's outputs on the evaluation samples, kept for the next comparison against the same original on
/// the same samples: a search's probes and a sweep's points each compare another candidate with one unchanged
/// original, which then runs once instead of once per candidate.
/// </summary>
internal sealed class OriginalOutputMemo
{
    private string? _modelPath;
    private IReadOnlyList<CapturedOutput>? _outputs;

    /// <summary>How many times the original really ran.</summary>
    public int Runs { get; private set; }

    public IReadOnlyList<CapturedOutput>? Find(string modelPath) =>
        string.Equals(_modelPath, modelPath, StringComparison.Ordinal) ? _outputs : null;

    public void Remember(string modelPath, IReadOnlyList<CapturedOutput> outputs)
    {
        _modelPath = modelPath;
        _outputs = outputs;
        Runs++;
    }
}
