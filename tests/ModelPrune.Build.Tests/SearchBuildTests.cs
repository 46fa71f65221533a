using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>Sparsity="auto" in a real build: the search's line, its report, and incrementality over its target.</summary>
[Collection(PackageCollection.Name)]
public sealed class SearchBuildTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public SearchBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Sparsity_auto_keeps_the_target_a_rebuild_runs_nothing_and_a_changed_target_searches_again()
    {
        var project = ConsumerProject.Create(_package, _log, "Searched");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Data/evaluation.npz", EvaluationBuildTests.Npz(seed: 5));
        const string Item = """<PruneModel Include="Models/classifier.onnx" Sparsity="auto" MaxMetricDrop="{0}" EvaluationData="Data/evaluation.npz" />""";
        project.WithItems(string.Format(System.Globalization.CultureInfo.InvariantCulture, Item, "0.01"));

        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        Assert.Contains(first.Lines, line => line.Contains("ModelPrune: Models/classifier.onnx -> auto: ", StringComparison.Ordinal)
            && line.Contains("(allowed drop 1.0)", StringComparison.Ordinal));
        var report = JsonDocument.Parse(File.ReadAllBytes(Directory.GetFiles(project.ModelPruneDirectory, "classifier.prune.json", SearchOption.AllDirectories).Single())).RootElement;
        var output = report.GetProperty("evaluation").GetProperty("outputs")[0];
        Assert.True(output.GetProperty("accuracyOriginal").GetDouble() - output.GetProperty("accuracyPruned").GetDouble() <= 0.01 + 1e-12, output.ToString());
        Assert.True(report.GetProperty("search").GetProperty("probes").GetInt32() > 1);

        var noOp = project.Build();
        Assert.True(noOp.Succeeded, noOp.ToString());
        Assert.DoesNotContain(noOp.Lines, line => line.Contains("auto: ", StringComparison.Ordinal));

        // The target is part of the pruning stamp and the cache key: a looser one searches again, never from the cache.
        project.WithItems(string.Format(System.Globalization.CultureInfo.InvariantCulture, Item, "0.03"));
        var looser = project.Build();
        Assert.True(looser.Succeeded, looser.ToString());
        Assert.Contains(looser.Lines, line => line.Contains("(allowed drop 3.0)", StringComparison.Ordinal) && !line.Contains("from cache", StringComparison.Ordinal));
    }
}
