using ModelPrune.Engine.Progress;

namespace ModelPrune.Engine.Tests.Progress;

/// <summary>The throttle and the estimate of the rest, on a clock the test moves.</summary>
public sealed class ProgressReporterTests
{
    private readonly ManualClock _clock = new();
    private readonly RecordingProgressOutput _output = new();

    private ProgressReporter Reporter(double intervalSeconds) =>
        new("classifier.onnx", _output, TimeSpan.FromSeconds(intervalSeconds), () => _clock.Now);

    [Fact]
    public void A_stage_reports_its_first_and_last_item_always_and_the_others_at_most_once_per_interval()
    {
        using var stage = Reporter(2).Begin("prune", "layer", 10);
        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(0.5);
            stage.Advance();
        }

        // Items finish at 0.5 s, 1.0 s, ... 5.0 s: the first (0.5 s), then 2 s later (2.5 s, 4.5 s), and the last (5.0 s).
        Assert.Equal(new[] { 1, 5, 9, 10 }, _output.Lines.Select(l => l.Done));
        Assert.All(_output.Lines, l => Assert.Equal(("classifier.onnx", "prune", "layer", 10), (l.Model, l.Stage, l.Unit, l.Total)));
        Assert.Equal(TimeSpan.FromSeconds(5), _output.Lines[^1].Elapsed);
        Assert.True(_output.Lines[^1].IsLast);
    }

    [Fact]
    public void The_remaining_time_is_linear_in_the_time_the_finished_items_took()
    {
        _clock.Advance(3);
        using var stage = Reporter(0).Begin("quantize", "layer", 10);
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(2);
            stage.Advance();
        }

        var line = _output.Lines[^1];
        Assert.Equal(4, line.Done);
        Assert.Equal(TimeSpan.FromSeconds(8), line.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(12), line.Remaining);
    }

    [Fact]
    public void An_inner_stage_refreshes_the_outer_line_and_its_estimate_counts_down_meanwhile()
    {
        var reporter = Reporter(0);
        using var search = reporter.Begin("search", "probe", 4);
        _clock.Advance(10);
        search.Advance();

        using (var prune = reporter.Begin("prune", "layer", 3))
        {
            _clock.Advance(4);
            prune.Advance();
        }

        // One probe took 10 s, so four take about 40 s; 14 s have passed.
        var refreshed = _output.Lines[^1];
        Assert.Equal(("search", "probe", 1, 4), (refreshed.Stage, refreshed.Unit, refreshed.Done, refreshed.Total));
        Assert.Equal(TimeSpan.FromSeconds(14), refreshed.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(26), refreshed.Remaining);
        Assert.DoesNotContain(_output.Lines, l => l.Stage == "prune");
    }

    [Fact]
    public void Inner_stages_are_throttled_even_at_their_first_and_last_item()
    {
        var reporter = Reporter(2);
        using var sweep = reporter.Begin("sweep", "point", 3);
        for (var point = 0; point < 3; point++)
        {
            using (var prune = reporter.Begin("prune", "layer", 2))
            {
                _clock.Advance(0.1);
                prune.Advance();
                _clock.Advance(0.1);
                prune.Advance();
            }

            sweep.Advance();
        }

        // The first inner item writes (nothing was written yet); after that only the sweep's own first and last points.
        Assert.Equal(new[] { 0, 1, 3 }, _output.Lines.Select(l => l.Done));
        Assert.All(_output.Lines, l => Assert.Equal("sweep", l.Stage));
    }

    [Fact]
    public void A_stage_that_ends_before_its_planned_total_reports_the_count_it_reached_as_its_last_step()
    {
        using var search = Reporter(60).Begin("search", "probe", 24);
        for (var i = 0; i < 9; i++)
        {
            _clock.Advance(1);
            search.Advance();
        }

        search.Finish();

        Assert.Equal(new[] { (1, 24), (9, 9) }, _output.Lines.Select(l => (l.Done, l.Total)));
        Assert.Equal(TimeSpan.Zero, _output.Lines[^1].Remaining);
    }

    [Fact]
    public void Items_past_the_total_and_a_finished_stage_write_nothing_more()
    {
        var stage = Reporter(0).Begin("prune", "layer", 1);
        stage.Advance();
        stage.Advance();
        stage.Finish();
        stage.Dispose();
        stage.Advance();

        Assert.Single(_output.Lines);
    }

    [Fact]
    public void Without_a_reporter_a_stage_does_nothing_and_with_one_it_reaches_the_current_model_only()
    {
        Assert.Same(ProgressStage.None, ModelProgress.Begin("prune", "layer", 3));

        var reporter = Reporter(0);
        var inside = ModelProgress.Run(reporter, () =>
        {
            using (var stage = ModelProgress.Begin("prune", "layer", 2))
            {
                stage.Advance();
            }

            return ModelProgress.Track(new[] { "a", "b", "c" }, "statistics", "batch", 3).ToArray();
        });

        Assert.Equal(new[] { "a", "b", "c" }, inside);
        Assert.Same(ProgressStage.None, ModelProgress.Begin("prune", "layer", 3));
        Assert.Equal(new[] { ("prune", 1), ("statistics", 1), ("statistics", 2), ("statistics", 3) }, _output.Lines.Select(l => (l.Stage, l.Done)));
    }
}
