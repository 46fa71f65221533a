using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>Sparsity="auto" and Quantize="auto" in a real build: the search's line, its report, and incrementality over its target.</summary>
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
    public void Sparsity_auto_keeps_the_target_a_rebuild_runs_nothing_a_changed_target_searches_again_and_Quantize_auto_searches_the_precision()
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

        // Quantize="auto" through the same item: the precision per layer is searched at the fixed sparsity. The
        // classifier's Gemm weights are int8 at best, so the search starts (and here ends) at int8.
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Sparsity="0.5" Quantize="auto" EvaluationData="Data/evaluation.npz" />""");
        var quantized = project.Build();
        Assert.True(quantized.Succeeded, quantized.ToString());
        Assert.Contains(quantized.Lines, line => line.Contains("ModelPrune: Models/classifier.onnx -> auto: 3 int8 layers", StringComparison.Ordinal));
        var quantizedReport = JsonDocument.Parse(File.ReadAllBytes(Directory.GetFiles(project.ModelPruneDirectory, "classifier.prune.json", SearchOption.AllDirectories).Single())).RootElement;
        Assert.Equal("quantize", quantizedReport.GetProperty("search").GetProperty("knob").GetString());
        Assert.Equal("auto", quantizedReport.GetProperty("quantization").GetProperty("quantize").GetString());
    }
}
