using System.Text.Json;
using System.Text.RegularExpressions;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>SweepSparsities end to end on the trained classifier: the curve in the JSON, the Markdown and the HTML.</summary>
public sealed class SparsitySweepTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public SparsitySweepTests()
    {
        _model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSample());
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Each_sweep_sparsity_is_pruned_and_evaluated_and_the_kept_model_is_the_main_one()
    {
        var output = _folder.File("sweep/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "--sparsity", "0.5", "--sweep", "0.9;0.3;0.5", "-o", output, "--no-cache");
        Assert.True(exitCode == 0, text);

        var report = JsonDocument.Parse(File.ReadAllBytes(_folder.File("sweep/classifier.prune.json"))).RootElement;
        var points = report.GetProperty("sweep").EnumerateArray().ToArray();
        Assert.Equal(new[] { 0.3, 0.5, 0.9 }, points.Select(p => p.GetProperty("sparsity").GetDouble()));
        Assert.All(points, p => Assert.Equal(p.GetProperty("sparsity").GetDouble(), p.GetProperty("achievedSparsity").GetDouble(), 2));
        Assert.All(points, p => Assert.Equal("top-1 agreement", p.GetProperty("metric").GetString()));
        var values = points.Select(p => p.GetProperty("value").GetDouble()).ToArray();
        // The main point is the kept model's own agreement, and pruning 90% of a small MLP costs agreement that 30% does not.
        Assert.Equal(report.GetProperty("evaluation").GetProperty("outputs")[0].GetProperty("top1Agreement").GetDouble(), values[1]);
        Assert.True(values[0] > values[2], $"agreement at 30% ({values[0]}) should exceed agreement at 90% ({values[2]})");
        Assert.Equal(0.5, report.GetProperty("totals").GetProperty("prunableSparsity").GetDouble(), 2);

        var markdown = File.ReadAllText(_folder.File("sweep/classifier.prune.md"));
        Assert.Contains("## Sparsity sweep", markdown);
        var html = File.ReadAllText(_folder.File("sweep/classifier.prune.html"));
        // Two charts of the same three models: against sparsity, and against the compressed size.
        Assert.Equal(2, Regex.Matches(html, "<polyline class=\"curve\"").Count);
        Assert.Equal(6, Regex.Matches(html, "<circle class=\"point\"").Count);
        Assert.Contains("versus compressed size</h2>", html);
    }

    [Fact]
    public void The_sweep_joins_the_cache_key()
    {
        var cache = _folder.File("cache");
        EngineCli.Run("prune", _model, "-o", _folder.File("a/classifier.onnx"), "--cache-dir", cache);
        var withSweep = EngineCli.Run("prune", _model, "--sweep", "0.3", "-o", _folder.File("b/classifier.onnx"), "--cache-dir", cache);

        Assert.DoesNotContain("from cache", withSweep.Output);
        Assert.Contains("\"sweep\"", File.ReadAllText(_folder.File("b/classifier.prune.json")));
    }

    [Theory]
    [InlineData("0.3;1.2", "unstructured")]
    [InlineData("0;0.5", "unstructured")]
    [InlineData("0.3;abc", "unstructured")]
    [InlineData("0.3", "2:4")]
    public void Bad_sweeps_are_coded_errors(string sweep, string pattern)
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "--sweep", sweep, "--pattern", pattern, "-o", _folder.File("bad/classifier.onnx"), "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{_model}: error MP1057", text);
    }
}
