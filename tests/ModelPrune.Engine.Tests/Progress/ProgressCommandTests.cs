using ModelPrune.Engine.Cli;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using ModelPrune.Progress;

namespace ModelPrune.Engine.Tests.Progress;

/// <summary>Real prunes of the sample classifier with <c>--progress</c>: what reaches stderr, and what stays out of the results.</summary>
public sealed class ProgressCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly string _calibration;
    private readonly string _evaluation;

    public ProgressCommandTests()
    {
        _model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSample());
        var (pixels, _) = FixtureModels.ClassifierSampleData(96, seed: 11);
        _calibration = _folder.File("calibration.npy");
        NumpyFiles.WriteNpy(_calibration, NpyTestArray.Float32(pixels, 96, 64));
        _evaluation = _folder.File(FixtureModels.ClassifierEvaluationFileName);
        FixtureModels.WriteClassifierEvaluationData(_evaluation, samples: 64);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Machine_progress_names_each_long_stage_counts_up_to_its_total_and_stays_out_of_stdout_and_the_report()
    {
        var quiet = Run("quiet", "none", "--method", "sparsegpt", "--calibration", _calibration, "--quantize", "int4", "--sweep", "0.3");
        var watched = Run("watched", "machine", "--method", "sparsegpt", "--calibration", _calibration, "--quantize", "int4", "--sweep", "0.3");

        Assert.Equal(string.Empty, quiet.Error);
        Assert.DoesNotContain(ProgressLine.Prefix, watched.Output, StringComparison.Ordinal);
        var lines = ProgressLines(watched.Error);
        Assert.All(lines, l => Assert.Equal(_model, l.Model));
        // The original's evaluation batches before anything changes it, SparseGPT's statistics passes (fit, held out),
        // pruning and quantization per layer (SparseGPT quantizes in its own pass, so GPTQ needs none), the pruned model's
        // evaluation batches, then the sweep point, whose own stages only refresh the sweep's line.
        Assert.Equal(
            new[] { "original", "statistics", "statistics", "prune", "quantize", "evaluate", "sweep" },
            Runs(lines).Select(run => run.Stage).ToArray());
        foreach (var run in Runs(lines))
        {
            Assert.True(run.Lines.Zip(run.Lines.Skip(1)).All(p => p.Second.Done >= p.First.Done), $"{run.Stage} counts backwards");
            Assert.Equal(run.Lines[^1].Total, run.Lines[^1].Done);
        }

        Assert.Equal(3, Runs(lines).Single(r => r.Stage == "prune").Lines[^1].Total);
        Assert.Equal(
            File.ReadAllBytes(_folder.File("quiet/classifier.prune.json")),
            File.ReadAllBytes(_folder.File("watched/classifier.prune.json")));
        Assert.Equal(
            File.ReadAllBytes(_folder.File("quiet/classifier.prune.summary")),
            File.ReadAllBytes(_folder.File("watched/classifier.prune.summary")));
    }

    [Theory]
    [InlineData("--sparsity")]
    [InlineData("--quantize")]
    public void A_search_reports_its_probes_and_ends_on_the_number_it_ran(string searched)
    {
        var result = Run("search" + searched, "machine", searched, "auto", "--evaluation-data", _evaluation, "--search-budget", "8");

        var search = Runs(ProgressLines(result.Error)).Single(r => r.Stage == "search").Lines;
        Assert.All(search, l => Assert.Equal("probe", l.Unit));
        Assert.Equal(8, search[0].Total);
        var last = search[^1];
        Assert.Equal(last.Total, last.Done);
        Assert.InRange(last.Done, 1, 8);
    }

    [Fact]
    public void Plain_lines_are_worded_for_people_and_auto_without_a_console_prints_none()
    {
        var lines = Run("lines", "lines");
        var auto = Run("auto", "auto", console: null);

        Assert.Contains(lines.Error.Split('\n'), l => l.StartsWith($"{_model}: original batch 1/1, done in ", StringComparison.Ordinal));
        Assert.Contains(lines.Error.Split('\n'), l => l.StartsWith($"{_model}: evaluate batch 1/1, done in ", StringComparison.Ordinal));
        Assert.DoesNotContain(ProgressLine.Prefix, lines.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, auto.Error);
    }

    [Fact]
    public void Auto_draws_a_bar_on_a_terminal_and_writes_lines_when_redirected()
    {
        var terminal = Run("terminal", "auto", console: new ProgressConsole(ErrorIsTerminal: true, TimeSpan.Zero));
        var redirected = Run("redirected", "auto", console: new ProgressConsole(ErrorIsTerminal: false, TimeSpan.Zero));

        Assert.StartsWith("\r[", terminal.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", terminal.Error, StringComparison.Ordinal);
        Assert.EndsWith("\r", terminal.Error, StringComparison.Ordinal);
        Assert.Contains($"{_model}: prune layer 1/3", redirected.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", redirected.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_progress_mode_is_refused()
    {
        var result = Run("fancy", "fancy");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("fancy", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.File("fancy/classifier.onnx")));
    }

    [Fact]
    public void The_engine_process_reads_the_interval_from_its_environment_and_writes_lines_to_a_redirected_stderr()
    {
        var output = _folder.File("process/classifier.onnx");
        var (exitCode, text) = EngineProcess.Run(
            new Dictionary<string, string?> { [ProgressConsole.IntervalVariable] = "0" },
            "prune", _model, "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        // Interval 0: every layer is reported, not only the first and the last.
        Assert.Contains($"{_model}: prune layer 2/3,", text, StringComparison.Ordinal);
    }

    private (int ExitCode, string Output, string Error) Run(string name, string progress, params string[] settings) =>
        Run(name, progress, new ProgressConsole(ErrorIsTerminal: false, TimeSpan.Zero), settings);

    private (int ExitCode, string Output, string Error) Run(string name, string progress, ProgressConsole? console, params string[] settings)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var arguments = new[] { "prune", _model, "-o", _folder.File($"{name}/classifier.onnx"), "--no-cache", "--progress", progress }.Concat(settings).ToArray();
        var exitCode = CommandLine.Run(arguments, output, error, console: console);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static List<ProgressLine> ProgressLines(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith(ProgressLine.Prefix, l, StringComparison.Ordinal));
        return lines.Select(l => ProgressLine.Parse(l) ?? throw new Xunit.Sdk.XunitException("not a progress line: " + l)).ToList();
    }

    /// <summary>Consecutive lines of one stage: a stage that runs twice (statistics) is two runs, told apart by the count starting again.</summary>
    private static List<(string Stage, List<ProgressLine> Lines)> Runs(IReadOnlyList<ProgressLine> lines)
    {
        var runs = new List<(string Stage, List<ProgressLine> Lines)>();
        foreach (var line in lines)
        {
            var previous = runs.Count == 0 ? null : runs[^1].Lines[^1];
            if (previous is null || previous.Stage != line.Stage || line.Done < previous.Done) runs.Add((line.Stage, new List<ProgressLine>()));
            runs[^1].Lines.Add(line);
        }

        return runs;
    }
}
