using System.Diagnostics;

namespace ModelPrune.Engine.Progress;

/// <summary>
/// One model's progress: the stages it opens (<see cref="Begin"/>) and a throttle on what reaches the output. A stage
/// says its first and last item always and the others at most once per interval. A stage opened inside another (the
/// prune inside a search probe) is not reported on its own: its items refresh the outer stage's line, within the
/// same interval, so a long probe still shows the run is alive without flooding the log with probe internals.
/// </summary>
internal sealed class ProgressReporter
{
    /// <summary>What a build log or a redirected console gets: often enough to show life, rarely enough to read.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly List<ProgressStage> _open = new();
    private readonly string _model;
    private readonly IProgressOutput _output;
    private readonly TimeSpan _interval;
    private readonly Func<TimeSpan> _clock;
    private TimeSpan? _lastWritten;

    /// <param name="model">The model as the user named it.</param>
    /// <param name="clock">Monotonic time; tests pass their own.</param>
    public ProgressReporter(string model, IProgressOutput output, TimeSpan interval, Func<TimeSpan>? clock = null)
    {
        _model = model;
        _output = output;
        _interval = interval;
        if (clock is null)
        {
            var stopwatch = Stopwatch.StartNew();
            clock = () => stopwatch.Elapsed;
        }

        _clock = clock;
    }

    /// <summary>A stage of <paramref name="total"/> items, reported as e.g. <c>prune layer 3/12</c>.</summary>
    public ProgressStage Begin(string stage, string unit, int total)
    {
        lock (_gate)
        {
            var opened = new ProgressStage(this, stage, unit, total, _clock());
            _open.Add(opened);
            return opened;
        }
    }

    internal void Advance(ProgressStage stage)
    {
        lock (_gate)
        {
            if (stage.Ended || stage.Done >= stage.Total) return;
            var now = _clock();
            stage.Done++;
            stage.DoneAfter = now - stage.Started;
            var outermost = _open[0];
            var always = ReferenceEquals(outermost, stage) && (stage.Done == 1 || stage.Done == stage.Total);
            if (always || _lastWritten is not { } last || now - last >= _interval) Write(outermost, now);
        }
    }

    internal void Finish(ProgressStage stage)
    {
        lock (_gate)
        {
            if (stage.Ended || stage.Done == 0 || stage.Done >= stage.Total) return;
            stage.Total = stage.Done;
            if (ReferenceEquals(_open[0], stage)) Write(stage, _clock());
        }
    }

    internal void End(ProgressStage stage)
    {
        lock (_gate)
        {
            stage.Ended = true;
            _open.Remove(stage);
        }
    }

    private void Write(ProgressStage stage, TimeSpan now)
    {
        _lastWritten = now;
        _output.Write(stage.LineAt(_model, now));
    }
}
