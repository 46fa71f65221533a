using System.Globalization;
using System.Text.Json;
using ModelPrune.Engine.Baseline;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Search;

/// <summary>
/// Sparsity="auto" on the trained sample classifier with its labelled held-out digits: real prunes, real ONNX
/// Runtime evaluations, every number checked against a separate fixed-sparsity run or the gate.
/// </summary>
public sealed class SparsitySearchTests : IDisposable
{
    private const int Samples = 200;
    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly string _evaluation;

    public SparsitySearchTests()
    {
        _model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSample());
        _evaluation = _folder.File("classifier.eval.npz");
        FixtureModels.WriteClassifierEvaluationData(_evaluation, Samples);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_chosen_model_keeps_the_target_and_the_search_brackets_it_within_one_point()
    {
        var report = Search("auto/classifier.onnx", "0.01");
        var output = report.GetProperty("evaluation").GetProperty("outputs")[0];
        var search = report.GetProperty("search");
        var before = output.GetProperty("accuracyOriginal").GetDouble();
        var after = output.GetProperty("accuracyPruned").GetDouble();
        var chosen = report.GetProperty("totals").GetProperty("prunableSparsity").GetDouble();
        var trace = search.GetProperty("trace").EnumerateArray().ToArray();

        Assert.True(before - after <= 0.01 + 1e-12, $"accuracy {before} -> {after}");
        Assert.Equal("accuracy", search.GetProperty("metric").GetString());
        Assert.Equal(after, search.GetProperty("chosenValue").GetDouble());
        Assert.True(chosen > 0.2, $"chosen {chosen}");
        Assert.InRange(trace.Length, 1, search.GetProperty("budget").GetInt32());
        Assert.Equal(trace.Length, search.GetProperty("probes").GetInt32());
        // Some global probe at most one point and a half above the chosen sparsity breaks the target: the search did not stop early.
        var failing = trace.Where(p => p.GetProperty("phase").GetString() == "global" && !p.GetProperty("keepsTarget").GetBoolean())
            .Select(p => p.GetProperty("sparsity").GetDouble()).Min();
        Assert.InRange(failing - chosen, 0, 0.015);
    }

    /// <summary>Each probe is the model a fixed-sparsity build would ship: the same accuracy, run separately.</summary>
    [Fact]
    public void Every_global_probe_reports_what_a_fixed_sparsity_build_gives()
    {
        var trace = Search("auto/classifier.onnx", "0.01").GetProperty("search").GetProperty("trace").EnumerateArray()
            .Where(p => p.GetProperty("phase").GetString() == "global").Take(3).ToArray();

        foreach (var probe in trace)
        {
            var sparsity = probe.GetProperty("sparsity").GetDouble();
            var fixedRun = Prune($"fixed{sparsity}/classifier.onnx", "--sparsity", sparsity.ToString("R", CultureInfo.InvariantCulture));
            Assert.Equal(fixedRun.GetProperty("evaluation").GetProperty("outputs")[0].GetProperty("accuracyPruned").GetDouble(), probe.GetProperty("metric").GetDouble());
            Assert.Equal(fixedRun.GetProperty("totals").GetProperty("prunableSparsity").GetDouble(), probe.GetProperty("achievedSparsity").GetDouble());
        }
    }

    /// <summary>
    /// The gate and the search agree: against the unpruned model's report as the baseline, the model chosen for
    /// MaxMetricDrop=0.01 passes a gate with MaxMetricDrop=0.01 on the key metric, and one for 0.03 fails it.
    /// </summary>
    [Fact]
    public void A_model_chosen_for_a_drop_passes_a_baseline_gate_with_the_same_tolerance_on_the_key_metric()
    {
        Prune("dense/classifier.onnx", "--sparsity", "0");
        var baseline = BaselineReportReader.Read(File.ReadAllBytes(_folder.File("dense/classifier.prune.json")), "dense", DiagnosticCodes.BaselineUnreadable);
        Search("tight/classifier.onnx", "0.01");
        Search("loose/classifier.onnx", "0.03");
        var tolerance = ToleranceSettingsParser.Parse("0.01", null, null, "gate");

        IEnumerable<BaselineDifference> KeyMetricRegressions(string folder) =>
            BaselineComparer.Compare(baseline, BaselineReportReader.Read(File.ReadAllBytes(_folder.File($"{folder}/classifier.prune.json")), folder, DiagnosticCodes.BaselineUnreadable), tolerance)
                .Where(d => d.Code == DiagnosticCodes.MetricRegressed && d.Message.Contains("accuracyPruned", StringComparison.Ordinal));

        Assert.Empty(KeyMetricRegressions("tight"));
        Assert.NotEmpty(KeyMetricRegressions("loose"));
    }

    [Fact]
    public void The_same_inputs_give_byte_identical_reports_and_a_rebuild_comes_from_the_cache()
    {
        var cache = _folder.File("cache");
        var first = EngineCli.Run("prune", _model, "-o", _folder.File("a/classifier.onnx"), "--sparsity", "auto", "--evaluation", _evaluation, "--cache-dir", cache);
        var second = EngineCli.Run("prune", _model, "-o", _folder.File("b/classifier.onnx"), "--sparsity", "auto", "--evaluation", _evaluation, "--cache-dir", cache);
        var otherTarget = EngineCli.Run("prune", _model, "-o", _folder.File("c/classifier.onnx"), "--sparsity", "auto", "--evaluation", _evaluation, "--cache-dir", cache, "--max-metric-drop", "0.02");
        var fresh = EngineCli.Run("prune", _model, "-o", _folder.File("d/classifier.onnx"), "--sparsity", "auto", "--evaluation", _evaluation, "--no-cache");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("auto: ", first.Output);
        Assert.Contains("(allowed drop 1.0)", first.Output);
        Assert.Contains("from cache", second.Output);
        Assert.DoesNotContain("from cache", otherTarget.Output);
        Assert.Equal(File.ReadAllBytes(_folder.File("a/classifier.prune.json")), File.ReadAllBytes(_folder.File("d/classifier.prune.json")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/classifier.onnx")), File.ReadAllBytes(_folder.File("d/classifier.onnx")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/classifier.prune.html")), File.ReadAllBytes(_folder.File("d/classifier.prune.html")));
    }

    [Fact]
    public void The_html_page_charts_every_probe_with_the_target_line_and_the_chosen_point()
    {
        var report = Search("auto/classifier.onnx", "0.01").GetProperty("search");
        var html = File.ReadAllText(_folder.File("auto/classifier.prune.html"));
        var charted = report.GetProperty("trace").EnumerateArray().Count(p => p.GetProperty("phase").GetString() != "sensitivity");

        Assert.Contains("class=\"target\"", html);
        // One point per probe the build could have shipped, and the chosen one drawn larger.
        Assert.Contains("r=\"6\"", html);
        var searchSection = html[html.IndexOf("<h2>Search", StringComparison.Ordinal)..];
        searchSection = searchSection[..searchSection.IndexOf("</svg>", StringComparison.Ordinal)];
        Assert.Equal(charted + 1, searchSection.Split("<circle").Length - 1);
    }

    /// <summary>Wanda's statistics are collected once (fit and held out), however many probes; the held-out calibration samples are the evaluation samples.</summary>
    [Fact]
    public void Calibrated_probes_share_one_statistics_pass_and_evaluate_on_held_out_calibration_samples()
    {
        var calibration = _folder.File("calibration.npy");
        var (pixels, _) = FixtureModels.ClassifierSampleData(64, seed: 11);
        NumpyFiles.WriteNpy(calibration, NpyTestArray.Float32(pixels, 64, 64));

        var report = Prune("wanda/classifier.onnx", "--sparsity", "auto", "--method", "wanda", "--calibration-data", calibration, "--search-budget", "8");
        var search = report.GetProperty("search");

        Assert.Equal("held-out calibration", report.GetProperty("evaluation").GetProperty("inputKind").GetString());
        // More probes than passes: each probe reused the one pass.
        Assert.InRange(search.GetProperty("probes").GetInt32(), 3, 8);
        Assert.Equal(2, search.GetProperty("statisticsPasses").GetInt32());
        Assert.Equal("top-1 agreement", search.GetProperty("metric").GetString());
    }

    [Fact]
    public void Without_evaluation_samples_the_search_is_error_MP1100()
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("none/classifier.onnx"), "--sparsity", "auto", "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("MP1100", text);
        Assert.False(File.Exists(_folder.File("none/classifier.onnx")));
    }

    [Theory]
    [InlineData("--pattern", "2:4")]
    [InlineData("--sweep-sparsities", "0.3")]
    [InlineData("--method", "global-magnitude")]
    public void Settings_that_fix_the_sparsity_themselves_are_error_MP1103(string option, string value)
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("x/classifier.onnx"), "--sparsity", "auto", "--evaluation", _evaluation, option, value, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("MP1103", text);
    }

    [Theory]
    [InlineData("--search-budget", "3", "MP1101")]
    [InlineData("--drop-type", "percent", "MP1102")]
    [InlineData("--max-metric-drop", "-1", "MP1061")]
    public void A_bad_target_or_budget_is_a_coded_error(string option, string value, string code)
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("x/classifier.onnx"), "--sparsity", "auto", "--evaluation", _evaluation, $"{option}={value}", "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains(code, text);
    }

    /// <summary>DropType="relative": 0.01 is 1% of the original accuracy, and the report says so.</summary>
    [Fact]
    public void A_relative_drop_is_a_share_of_the_original_value()
    {
        var search = Prune("relative/classifier.onnx", "--sparsity", "auto", "--evaluation", _evaluation, "--max-metric-drop", "0.02", "--drop-type", "relative").GetProperty("search");

        Assert.Equal("relative", search.GetProperty("dropType").GetString());
        Assert.Equal(Math.Round(search.GetProperty("originalValue").GetDouble() * 0.02, 6), search.GetProperty("allowedDrop").GetDouble());
        Assert.True(search.GetProperty("originalValue").GetDouble() - search.GetProperty("chosenValue").GetDouble() <= search.GetProperty("allowedDrop").GetDouble() + 1e-12);
    }

    private JsonElement Search(string output, string maxDrop) =>
        Prune(output, "--sparsity", "auto", "--max-metric-drop", maxDrop, "--evaluation", _evaluation);

    private JsonElement Prune(string output, params string[] options)
    {
        var path = _folder.File(output);
        var extra = options.Contains("--evaluation") || options.Contains("--calibration-data") ? Array.Empty<string>() : new[] { "--evaluation", _evaluation };
        var (exitCode, text) = EngineCli.Run(new[] { "prune", _model, "-o", path, "--no-cache" }.Concat(options).Concat(extra).ToArray());
        Assert.True(exitCode == 0, text);
        return JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(path, ".prune.json"))).RootElement.Clone();
    }
}
