namespace ModelPrune.Engine.Progress;

/// <summary>
/// The progress of the model the current code is working on. The pipeline sets it per model (<see cref="Run"/>) and
/// the long stages open their stages here, so that progress needs no parameter through every layer of the pipeline
/// and the math underneath never sees it. Without a reporter every call does nothing.
/// </summary>
internal static class ModelProgress
{
    private static readonly AsyncLocal<ProgressReporter?> Current = new();

    /// <summary>Runs <paramref name="work"/> with <paramref name="reporter"/> as the current model's progress.</summary>
    public static T Run<T>(ProgressReporter? reporter, Func<T> work)
    {
        var previous = Current.Value;
        Current.Value = reporter;
        try
        {
            return work();
        }
        finally
        {
            Current.Value = previous;
        }
    }

    /// <summary>A stage of <paramref name="total"/> items of the current model; dispose it when the stage ends.</summary>
    public static ProgressStage Begin(string stage, string unit, int total) =>
        Current.Value is { } reporter && total > 0 ? reporter.Begin(stage, unit, total) : ProgressStage.None;

    /// <summary>
    /// <paramref name="items"/> as a stage: each item counts as done when the caller asks for the next one. For the
    /// batches a collector enumerates lazily.
    /// </summary>
    public static IEnumerable<T> Track<T>(IEnumerable<T> items, string stage, string unit, int total)
    {
        using var progress = Begin(stage, unit, total);
        foreach (var item in items)
        {
            yield return item;
            progress.Advance();
        }
    }
}
