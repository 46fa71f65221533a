using System.Text.Json.Nodes;
using ModelPrune.Engine.Tests.TestSupport;

namespace ModelPrune.Engine.Tests.Baseline;

/// <summary>The <c>baseline</c> command on hand-edited reports: real files, the engine's command line in process.</summary>
public sealed class BaselineGateTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _report;
    private readonly string _baseline;
    private readonly string _received;

    public BaselineGateTests()
    {
        _report = _folder.File("obj/mlp.prune.json");
        _baseline = _folder.File("Models/mlp.prune.verified.json");
        _received = _folder.File("Models/mlp.prune.received.json");
        BaselineReports.Write(_report, BaselineReports.Node());
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_identical_report_passes_and_leaves_the_baseline_alone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_baseline)!);
        File.Copy(_report, _baseline);
        var before = File.GetLastWriteTimeUtc(_baseline);

        var (exitCode, text) = Check();

        Assert.True(exitCode == 0, text);
        Assert.Contains("matches its baseline", text);
        Assert.DoesNotContain("error", text);
        Assert.Equal(before, File.GetLastWriteTimeUtc(_baseline));
        Assert.False(File.Exists(_received));
    }

    [Fact]
    public void A_drop_within_the_tolerance_passes()
    {
        WriteBaseline(b => b.Logits()["cosine"] = 0.975);  // new 0.971261: 0.003739 worse, default tolerance 0.01

        var (exitCode, text) = Check();

        Assert.True(exitCode == 0, text);
        Assert.False(File.Exists(_received));
    }

    [Fact]
    public void A_drop_beyond_the_tolerance_fails_naming_metric_values_and_tolerance_and_writes_the_received_report()
    {
        WriteBaseline(b => b.Logits()["cosine"] = 0.995);
        var baselineBytes = File.ReadAllBytes(_baseline);

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        var error = Assert.Single(Lines(text), l => l.Contains("error MP2001", StringComparison.Ordinal));
        Assert.StartsWith(_baseline + ": error MP2001: ", error);
        Assert.Contains("evaluation.outputs[logits].cosine", error);
        Assert.Contains("baseline 0.995", error);
        Assert.Contains("new 0.971261", error);
        Assert.Contains("by 0.023739", error);
        Assert.Contains("tolerance is 0.01 (MaxMetricDrop)", error);
        Assert.Contains(Lines(text), l => l.StartsWith(_baseline + ": error MP2009: ", StringComparison.Ordinal) && l.Contains(_received, StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(_report), File.ReadAllBytes(_received));
        Assert.Equal(baselineBytes, File.ReadAllBytes(_baseline));
        Assert.Empty(Directory.GetFiles(_folder.File("Models"), "*.tmp"));
    }

    [Fact]
    public void Improvements_pass_in_both_directions()
    {
        WriteBaseline(b =>
        {
            b.Logits()["cosine"] = 0.9;         // higher is better: new 0.971261 is better
            b.Logits()["relativeL2"] = 0.5;     // lower is better: new 0.238862 is better
            b.Logits()["maxAbs"] = 0.9;
        });

        var (exitCode, text) = Check();

        Assert.True(exitCode == 0, text);
    }

    [Fact]
    public void Lower_is_better_metrics_fail_when_they_rise()
    {
        WriteBaseline(b => b.Logits()["relativeL2"] = 0.2);  // new 0.238862 is 0.038862 worse

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        Assert.Contains(Lines(text), l => l.Contains("error MP2001", StringComparison.Ordinal) && l.Contains("relativeL2", StringComparison.Ordinal) && l.Contains("lower is better", StringComparison.Ordinal));
    }

    [Fact]
    public void Per_metric_tolerances_override_the_default_and_the_longest_key_wins()
    {
        WriteBaseline(b =>
        {
            b.Logits()["cosine"] = 0.99;       // 0.018739 worse
            b.Logits()["maxAbs"] = 0.25;       // 0.022196 worse: 8.9% of the baseline
        });

        Assert.Equal(0, Check("--tolerances", "cosine=0.02;maxAbs=10%").ExitCode);

        var (exitCode, text) = Check("--tolerances", "cosine=0.02;outputs[logits].cosine=0.001;maxAbs=5%");
        Assert.Equal(1, exitCode);
        Assert.Contains(Lines(text), l => l.Contains("cosine", StringComparison.Ordinal) && l.Contains("tolerance is 0.001 (MetricTolerances 'outputs[logits].cosine')", StringComparison.Ordinal));
        Assert.Contains(Lines(text), l => l.Contains("maxAbs", StringComparison.Ordinal) && l.Contains("5% of the baseline = 0.0125", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_tolerance_can_be_changed()
    {
        WriteBaseline(b => b.Logits()["cosine"] = 0.99);

        Assert.Equal(1, Check().ExitCode);
        Assert.Equal(0, Check("--max-metric-drop", "0.02").ExitCode);
    }

    [Fact]
    public void Metrics_added_to_the_report_later_are_gated_without_knowing_them()
    {
        // A per-output metrics object of a newer engine: names alone give the directions.
        var report = BaselineReports.Node();
        report.Logits()["metrics"] = new JsonObject { ["meanKlDivergence"] = 0.012, ["top5Agreement"] = 1.0, ["cosine"] = new JsonObject { ["p5"] = 0.95 } };
        report["timings"] = new JsonObject { ["evaluateMs"] = 120.5 };
        BaselineReports.Write(_report, report);
        WriteBaseline(b =>
        {
            b.Logits()["metrics"] = new JsonObject { ["meanKlDivergence"] = 0.001, ["top5Agreement"] = 1.0, ["cosine"] = new JsonObject { ["p5"] = 0.99 } };
            b["timings"] = new JsonObject { ["evaluateMs"] = 3.0 };
        });

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        var regressions = Lines(text).Where(l => l.Contains("error MP2001", StringComparison.Ordinal)).ToArray();
        Assert.Contains(regressions, l => l.Contains("evaluation.outputs[logits].metrics.meanKlDivergence", StringComparison.Ordinal));
        Assert.Contains(regressions, l => l.Contains("evaluation.outputs[logits].metrics.cosine.p5", StringComparison.Ordinal));
        Assert.Equal(2, regressions.Length);  // timings never count
    }

    [Fact]
    public void More_bits_per_weight_than_the_baseline_fails()
    {
        // What an int4 baseline sees when a change of settings stores the weights as int8.
        var quantization = new JsonObject { ["quantize"] = "int8", ["bits"] = 8, ["bitsPerWeight"] = 8.25 };
        var report = BaselineReports.Node();
        report["quantization"] = quantization;
        report.Layer(0)["quantization"] = new JsonObject { ["bits"] = 8, ["bitsPerWeight"] = 8.25, ["error"] = 0.0001 };
        BaselineReports.Write(_report, report);
        WriteBaseline(b =>
        {
            b["quantization"] = new JsonObject { ["quantize"] = "int4", ["bits"] = 4, ["bitsPerWeight"] = 5.125 };
            b.Layer(0)["quantization"] = new JsonObject { ["bits"] = 4, ["bitsPerWeight"] = 5.125, ["error"] = 0.002 };
        });

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        var regressions = Lines(text).Where(l => l.Contains("error MP2001", StringComparison.Ordinal)).ToArray();
        Assert.Contains(regressions, l => l.Contains("quantization.bitsPerWeight", StringComparison.Ordinal) && l.Contains("5.125", StringComparison.Ordinal));
        Assert.Contains(regressions, l => l.Contains("layers[W1].quantization.bitsPerWeight", StringComparison.Ordinal));
        Assert.Equal(2, regressions.Length);
        // The layer's error improved, which passes.
        Assert.DoesNotContain(regressions, l => l.Contains("quantization.error", StringComparison.Ordinal));
    }

    [Fact]
    public void A_metric_the_new_report_lacks_fails()
    {
        var report = BaselineReports.Node();
        report.Logits().Remove("top1Agreement");
        BaselineReports.Write(_report, report);
        WriteBaseline(_ => { });

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        Assert.Contains(Lines(text), l => l.Contains("error MP2003", StringComparison.Ordinal) && l.Contains("top1Agreement", StringComparison.Ordinal));
    }

    [Fact]
    public void A_changed_layer_sparsity_status_or_layer_set_fails_as_a_structure_change()
    {
        WriteBaseline(b =>
        {
            b.Layer(0)["sparsity"] = 0.4003;
            b.Layer(1)["status"] = "excluded";
            ((JsonArray)b["layers"]!).Add(new JsonObject { ["name"] = "W4", ["status"] = "pruned", ["sparsity"] = 0.4 });
        });

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        var structure = Lines(text).Where(l => l.Contains("error MP2002", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, structure.Length);
        Assert.Contains(structure, l => l.Contains("'W1' has sparsity 0.400390625, the baseline 0.4003", StringComparison.Ordinal));
        Assert.Contains(structure, l => l.Contains("'W2' was excluded in the baseline, is pruned now", StringComparison.Ordinal));
        Assert.Contains(structure, l => l.Contains("'W4' is in the baseline but not in the new report", StringComparison.Ordinal));
    }

    [Fact]
    public void The_model_hash_is_compared_only_when_asked_to()
    {
        WriteBaseline(b => b["output"]!["sha256"] = new string('0', 64));

        Assert.Equal(0, Check().ExitCode);
        var (exitCode, text) = Check("--compare-model-hash", "true");
        Assert.Equal(1, exitCode);
        Assert.Contains(Lines(text), l => l.Contains("error MP2004", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_baseline_is_created_with_a_warning()
    {
        var (exitCode, text) = Check();

        Assert.True(exitCode == 0, text);
        Assert.Contains(Lines(text), l => l.StartsWith(_baseline + ": warning MP2006: ", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(_report), File.ReadAllBytes(_baseline));
    }

    [Fact]
    public void A_missing_baseline_fails_when_strict_and_is_not_created()
    {
        var (exitCode, text) = Check("--strict");

        Assert.Equal(1, exitCode);
        Assert.Contains(Lines(text), l => l.StartsWith(_baseline + ": error MP2007: ", StringComparison.Ordinal));
        Assert.False(File.Exists(_baseline));
        Assert.Equal(File.ReadAllBytes(_report), File.ReadAllBytes(_received));
    }

    [Fact]
    public void Accepting_overwrites_the_baseline_and_removes_the_received_report()
    {
        WriteBaseline(b => b.Logits()["cosine"] = 0.999);
        Assert.Equal(1, Check().ExitCode);
        Assert.True(File.Exists(_received));

        var (exitCode, text) = Check("--accept");

        Assert.True(exitCode == 0, text);
        Assert.Contains(Lines(text), l => l.StartsWith(_baseline + ": info MP2008: ", StringComparison.Ordinal));
        Assert.Contains(Lines(text), l => l.StartsWith(_baseline + ": info MP2001: ", StringComparison.Ordinal));
        Assert.DoesNotContain("error", text);
        Assert.Equal(File.ReadAllBytes(_report), File.ReadAllBytes(_baseline));
        Assert.False(File.Exists(_received));
        Assert.Equal(0, Check().ExitCode);
    }

    [Fact]
    public void Copying_the_received_report_over_the_baseline_accepts_it()
    {
        WriteBaseline(b => b.Logits()["cosine"] = 0.999);
        Assert.Equal(1, Check().ExitCode);

        File.Copy(_received, _baseline, overwrite: true);

        Assert.Equal(0, Check().ExitCode);
        Assert.False(File.Exists(_received));
    }

    [Fact]
    public void A_malformed_baseline_is_MP1060_and_is_not_overwritten()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_baseline)!);
        File.WriteAllText(_baseline, "{ \"schema\": \"modelprune.report/1\", ");

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        Assert.Contains(Lines(text), l => l.StartsWith(_baseline + ": error MP1060: ", StringComparison.Ordinal));
        Assert.Equal("{ \"schema\": \"modelprune.report/1\", ", File.ReadAllText(_baseline));
    }

    [Fact]
    public void Json_that_is_no_report_is_MP1060()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_baseline)!);
        File.WriteAllText(_baseline, "{ \"hello\": 1 }");

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1060", text);
    }

    [Theory]
    [InlineData("--max-metric-drop=0,01")]
    [InlineData("--max-metric-drop=-0.1")]
    [InlineData("--max-metric-drop=NaN")]
    [InlineData("--tolerances=cosine")]
    [InlineData("--tolerances=cosine=abc")]
    [InlineData("--tolerances==0.1")]
    [InlineData("--tolerances=cosine=0.1;Cosine=0.2")]
    public void Bad_tolerance_syntax_is_MP1061(string option)
    {
        WriteBaseline(_ => { });

        var (exitCode, text) = Check(option);

        Assert.Equal(1, exitCode);
        Assert.Contains(Lines(text), l => l.StartsWith(_baseline + ": error MP1061: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_CompareModelHash_is_MP1063()
    {
        WriteBaseline(_ => { });

        Assert.Contains("error MP1063", Check("--compare-model-hash", "sometimes").Output);
    }

    [Fact]
    public void A_tolerance_key_matching_no_metric_warns_MP1065()
    {
        WriteBaseline(_ => { });

        var (exitCode, text) = Check("--tolerances", "cosin=0.1");

        Assert.Equal(0, exitCode);
        Assert.Contains(Lines(text), l => l.Contains("warning MP1065", StringComparison.Ordinal) && l.Contains("'cosin'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_baseline_named_like_the_received_file_is_MP1062()
    {
        var (exitCode, text) = EngineCli.Run("baseline", "--report", _report, "--baseline", _received);

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1062", text);
        Assert.False(File.Exists(_received));
    }

    [Fact]
    public void A_missing_report_is_MP1064()
    {
        File.Delete(_report);

        Assert.Contains("error MP1064", Check().Output);
        Assert.False(File.Exists(_baseline));
    }

    [Fact]
    public void A_baseline_of_another_report_schema_fails_with_MP2005()
    {
        WriteBaseline(b => b["schema"] = "modelprune.report/0");

        var (exitCode, text) = Check();

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP2005", text);
    }

    private (int ExitCode, string Output) Check(params string[] options) =>
        EngineCli.Run(new[] { "baseline", "--report", _report, "--baseline", _baseline }.Concat(options).ToArray());

    private void WriteBaseline(Action<JsonObject> edit)
    {
        var baseline = BaselineReports.Node();
        edit(baseline);
        BaselineReports.Write(_baseline, baseline);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
