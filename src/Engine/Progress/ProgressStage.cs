using ModelPrune.Progress;

namespace ModelPrune.Engine.Progress;

/// <summary>
/// A long stage of one model's run, counting its items (layers, batches, probes): the stage calls
/// <see cref="Advance"/> after each one and disposes it when done. <see cref="None"/> does nothing, for runs nobody watches.
/// </summary>
internal sealed class ProgressStage : IDisposable
{
    /// <summary>The stage of a run without a reporter: every call is free.</summary>
    public static readonly ProgressStage None = new(null, string.Empty, string.Empty, 0, TimeSpan.Zero);

    private readonly ProgressReporter? _reporter;

    internal ProgressStage(ProgressReporter? reporter, string name, string unit, int total, TimeSpan started)
    {
        _reporter = reporter;
        Name = name;
        Unit = unit;
        Total = total;
        Started = started;
    }

    public string Name { get; }

    public string Unit { get; }

    /// <summary>Lowered by <see cref="Finish"/> when the stage ends before its planned count (a search within its budget).</summary>
    public int Total { get; internal set; }

    public int Done { get; internal set; }

    /// <summary>On the reporter's clock.</summary>
    public TimeSpan Started { get; }

    /// <summary>Time from <see cref="Started"/> to the latest finished item: what the estimate of the rest is made from.</summary>
    public TimeSpan DoneAfter { get; internal set; }

    internal bool Ended { get; set; }

    /// <summary>One more item finished. Safe from parallel loops.</summary>
    public void Advance() => _reporter?.Advance(this);

    /// <summary>
    /// The stage ends here with fewer items than planned (the total was an upper bound): its count becomes what was
    /// done, and that last position is always reported.
    /// </summary>
    public void Finish() => _reporter?.Finish(this);

    public void Dispose() => _reporter?.End(this);

    /// <summary>
    /// Where the stage stands at <paramref name="now"/>. The rest is estimated linearly from the time the finished
    /// items took, and counts down between them rather than growing with the wait.
    /// </summary>
    public ProgressLine LineAt(string model, TimeSpan now)
    {
        var elapsed = now - Started;
        TimeSpan? remaining = Done == 0
            ? null
            : TimeSpan.FromTicks(Math.Max(0, (long)(DoneAfter.Ticks / (double)Done * Total) - elapsed.Ticks));
        return new ProgressLine(model, Name, Unit, Done, Total, elapsed, remaining);
    }
}
