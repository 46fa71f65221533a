using System.Text.Json;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>Which metrics real runs report per output, on synthetic inputs.</summary>
public sealed class TaskMetricsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Sequence_outputs_without_labels_are_judged_as_embeddings()
    {
        var output = Prune("embedding.onnx", FixtureModels.EmbeddingModel());

        Assert.Equal("embedding", output.GetProperty("task").GetString());
        Assert.Equal("auto: [4, 6, 8] is [batch, sequence, hidden] without labels; items pooled: mean over all positions", output.GetProperty("taskReason").GetString());
        var mean = output.GetProperty("meanItemCosine").GetDouble();
        Assert.InRange(mean, 0, 1);
        Assert.InRange(output.GetProperty("p5ItemCosine").GetDouble(), -1, mean);
        Assert.InRange(output.GetProperty("neighbourAgreement").GetDouble(), 0, 1);
        Assert.False(output.TryGetProperty("top1Agreement", out _));
        Assert.False(output.TryGetProperty("top5Agreement", out _));
    }

    [Fact]
    public void Task_regression_keeps_only_the_generic_deviation()
    {
        var output = Prune("mlp.onnx", FixtureModels.GemmMlp(), "--task", "Regression");

        Assert.Equal("regression", output.GetProperty("task").GetString());
        Assert.Equal("Task=\"regression\" was requested", output.GetProperty("taskReason").GetString());
        Assert.True(output.TryGetProperty("relativeL2", out _));
        Assert.False(output.TryGetProperty("top1Agreement", out _));
        Assert.False(output.TryGetProperty("meanKlDivergence", out _));
    }

    private JsonElement Prune(string name, global::Onnx.ModelProto model, params string[] options)
    {
        var input = ModelFiles.Write(_folder, name, model);
        var output = _folder.File("out/" + name);
        var (exitCode, text) = EngineCli.Run(new[] { "prune", input, "-o", output, "--no-cache" }.Concat(options).ToArray());
        Assert.True(exitCode == 0, text);
        var report = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement;
        // The setting is normalised, whatever its letter case.
        Assert.Equal(options.Length == 0 ? "auto" : options[1].ToLowerInvariant(), report.GetProperty("evaluation").GetProperty("task").GetString());
        return report.GetProperty("evaluation").GetProperty("outputs")[0].Clone();
    }
}
