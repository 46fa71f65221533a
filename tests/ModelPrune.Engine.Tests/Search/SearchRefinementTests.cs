using System.Text.Json;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Search;

/// <summary>
/// Per-layer refinement on the trained convolutional fixture (wanda, its calibration set, 500 labelled held-out
/// digits): the layer the key metric is most sensitive to gets a lower sparsity and the others carry its share.
/// </summary>
public sealed class SearchRefinementTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Refinement_lowers_the_most_sensitive_layer_and_reaches_more_sparsity_than_the_global_search_within_the_target()
    {
        var fixtures = _folder.File("fixtures");
        StructuredFixtures.WriteDigitCnnFiles(fixtures);
        var output = _folder.File("out/digit_cnn.onnx");
        var (exitCode, text) = EngineCli.Run("prune", Path.Combine(fixtures, StructuredFixtures.DigitCnnFileName), "-o", output,
            "--method", "wanda", "--calibration-data", Path.Combine(fixtures, StructuredFixtures.DigitCnnCalibrationFileName),
            "--evaluation", Path.Combine(fixtures, StructuredFixtures.DigitCnnEvaluationFileName), "--sparsity", "auto", "--max-metric-drop", "0.01", "--no-cache");
        Assert.True(exitCode == 0, text);

        var report = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement;
        var search = report.GetProperty("search");
        var evaluation = report.GetProperty("evaluation").GetProperty("outputs")[0];
        var trace = search.GetProperty("trace").EnumerateArray().ToArray();
        var bestGlobal = trace.Where(p => p.GetProperty("phase").GetString() == "global" && p.GetProperty("keepsTarget").GetBoolean())
            .Select(p => p.GetProperty("achievedSparsity").GetDouble()).DefaultIfEmpty(0).Max();
        var chosen = report.GetProperty("totals").GetProperty("prunableSparsity").GetDouble();
        var restored = search.GetProperty("restoredLayers").EnumerateArray().Select(r => r.GetString()!).ToArray();
        var mostSensitive = search.GetProperty("sensitivity")[0].GetProperty("layer").GetString()!;
        var layers = report.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("sparsity").GetDouble());

        Assert.True(evaluation.GetProperty("accuracyOriginal").GetDouble() - evaluation.GetProperty("accuracyPruned").GetDouble() <= 0.01 + 1e-12);
        Assert.True(chosen > bestGlobal, $"refined {chosen} vs global {bestGlobal}");
        Assert.Contains(restored, r => r.StartsWith(mostSensitive + "=", StringComparison.Ordinal));
        Assert.All(layers.Where(l => l.Key != mostSensitive), l => Assert.True(layers[mostSensitive] < l.Value, $"{mostSensitive} {layers[mostSensitive]} vs {l.Key} {l.Value}"));
        Assert.Equal(2, search.GetProperty("statisticsPasses").GetInt32());
    }
}
