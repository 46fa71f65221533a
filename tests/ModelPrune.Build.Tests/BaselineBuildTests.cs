using System.Text.Json.Nodes;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>
/// The baseline gate through real builds, in the order a user meets it: created on the first build, a
/// regression refused, a tolerance edit re-checking without re-pruning, accepting, and CI's strict mode.
/// The steps share one project on purpose (each starts from what the previous left).
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class BaselineBuildTests
{
    private const string PruneSummary = "ModelPrune: Models/classifier.onnx -> ";
    private const string PassSummary = "ModelPrune: Models/classifier.onnx matches its baseline";

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public BaselineBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Baseline_is_created_then_guards_accepts_and_rechecks_without_pruning_again()
    {
        var project = ConsumerProject.Create(_package, _log, "BaselineGate");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Models/ungated.onnx", TestModels.Classifier);
        var baseline = Path.Combine(project.Directory, "Models", "classifier.prune.verified.json");
        var received = Path.Combine(project.Directory, "Models", "classifier.prune.received.json");
        WithBaseline(project, tolerances: null);

        // First build: no baseline yet, so it is created from the report, with a warning to commit it.
        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        Assert.Contains(first.Lines, line => line.Contains("warning MP2006", StringComparison.Ordinal) && line.Contains(baseline, StringComparison.Ordinal));
        var report = Directory.GetFiles(project.ModelPruneDirectory, "classifier.prune.json", SearchOption.AllDirectories).Single();
        var runInfo = Path.ChangeExtension(report, ".run.json");
        Assert.Equal(File.ReadAllBytes(report), File.ReadAllBytes(baseline));
        Assert.Equal(new[] { baseline }, Directory.GetFiles(Path.Combine(project.Directory, "Models"), "*.json"));

        // Nothing changed: neither pruning nor comparison runs.
        var noop = project.Build("-v:detailed");
        Assert.True(noop.Succeeded, noop.ToString());
        Assert.DoesNotContain("Task \"PruneModels\"", noop.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Task \"CheckBaseline\"", noop.Output, StringComparison.Ordinal);

        // The baseline claims a better relative L2 than this build reaches: a regression, the new report is
        // written next to the baseline, the baseline itself is kept.
        var relativeL2 = EditBaseline(baseline, output => output["relativeL2"]!.GetValue<double>() - 0.05, "relativeL2");
        var claimed = File.ReadAllBytes(baseline);
        var runInfoBytes = File.ReadAllBytes(runInfo);
        var runInfoTime = File.GetLastWriteTimeUtc(runInfo);
        var regressed = project.Build();
        Assert.False(regressed.Succeeded, regressed.ToString());
        Assert.Contains(regressed.Lines, line => line.Contains(baseline, StringComparison.Ordinal)
            && line.Contains("error MP2001", StringComparison.Ordinal)
            && line.Contains("evaluation.outputs[scores].relativeL2", StringComparison.Ordinal)
            && line.Contains($"baseline {relativeL2.ToString(System.Globalization.CultureInfo.InvariantCulture)}", StringComparison.Ordinal)
            && line.Contains("tolerance is 0.01", StringComparison.Ordinal));
        Assert.Contains(regressed.Lines, line => line.Contains("error MP2009", StringComparison.Ordinal) && line.Contains(received, StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(report), File.ReadAllBytes(received));
        Assert.Equal(claimed, File.ReadAllBytes(baseline));
        Assert.DoesNotContain(regressed.Lines, line => line.Contains(PruneSummary, StringComparison.Ordinal));

        // Only the tolerance changes: the comparison runs again and passes; the pruning is up to date.
        WithBaseline(project, tolerances: "relativeL2=0.1;cosine=0.02");
        var relaxed = project.Build("-v:detailed");
        Assert.True(relaxed.Succeeded, relaxed.ToString());
        Assert.Contains(relaxed.Lines, line => line.Contains(PassSummary, StringComparison.Ordinal));
        Assert.Contains("ModelPrune: Models/classifier.onnx is up to date", relaxed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Task \"PruneModels\"", relaxed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(relaxed.Lines, line => line.Contains(PruneSummary, StringComparison.Ordinal));
        Assert.Equal(runInfoBytes, File.ReadAllBytes(runInfo));
        Assert.Equal(runInfoTime, File.GetLastWriteTimeUtc(runInfo));
        Assert.False(File.Exists(received), "a passing check removes the stale received report");

        // Back to the default tolerance it fails again; accepting makes the baseline the new report.
        WithBaseline(project, tolerances: null);
        Assert.False(project.Build().Succeeded);
        var accepted = project.Build("-p:ModelPruneAcceptBaseline=true");
        Assert.True(accepted.Succeeded, accepted.ToString());
        Assert.Contains("MP2008", accepted.Output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(report), File.ReadAllBytes(baseline));
        Assert.False(File.Exists(received));
        var afterAccept = project.Build();
        Assert.True(afterAccept.Succeeded, afterAccept.ToString());
        Assert.DoesNotContain("MP20", afterAccept.Output, StringComparison.Ordinal);

        // CI: a missing baseline is an error, and none is created.
        File.Delete(baseline);
        var strict = project.Build("-p:ModelPruneStrictBaseline=true");
        Assert.False(strict.Succeeded, strict.ToString());
        Assert.Contains(strict.Lines, line => line.Contains("error MP2007", StringComparison.Ordinal) && line.Contains(baseline, StringComparison.Ordinal));
        Assert.False(File.Exists(baseline));
    }

    private static void WithBaseline(ConsumerProject project, string? tolerances)
    {
        var toleranceAttribute = tolerances is null ? string.Empty : $" MetricTolerances=\"{tolerances}\"";
        // A second model without Baseline: the gate must leave it alone.
        project.WithItems($"""
            <PruneModel Include="Models/classifier.onnx" Sparsity="0.4" Baseline="Models/classifier.prune.verified.json"{toleranceAttribute} />
            <PruneModel Include="Models/ungated.onnx" />
            """);
    }

    /// <summary>Sets one metric of the baseline's first output, as a user editing the file would; returns the new value.</summary>
    private static double EditBaseline(string baseline, Func<JsonObject, double> value, string metric)
    {
        var json = JsonNode.Parse(File.ReadAllText(baseline))!.AsObject();
        var output = json["evaluation"]!["outputs"]![0]!.AsObject();
        var claimed = Math.Round(value(output), 6);
        Assert.True(claimed > 0, $"the fixture's {metric} is too small to claim a better one");
        output[metric] = claimed;
        File.WriteAllText(baseline, json.ToJsonString());
        return claimed;
    }
}
