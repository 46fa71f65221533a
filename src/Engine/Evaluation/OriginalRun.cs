namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The original model's side of a comparison (<see cref="ModelComparer.RunOriginal"/>): the batches it ran on, which
/// the pruned model runs on next, and its outputs. Disposing it frees the batches' values and the outputs it owns
/// (a memo's outputs stay with the memo).
/// </summary>
internal sealed class OriginalRun : IDisposable
{
    private readonly OriginalOutputStore? _owned;

    public OriginalRun(string modelPath, IReadOnlyList<List<SyntheticInput>> batches, OriginalOutputStore outputs, OriginalOutputStore? owned)
    {
        ModelPath = modelPath;
        Batches = batches;
        Outputs = outputs;
        _owned = owned;
    }

    /// <summary>The original's file: latency is timed on it.</summary>
    public string ModelPath { get; }

    public IReadOnlyList<List<SyntheticInput>> Batches { get; }

    public OriginalOutputStore Outputs { get; }

    public void Dispose()
    {
        _owned?.Dispose();
        foreach (var input in Batches.SelectMany(b => b))
        {
            input.Value.Dispose();
        }
    }
}
