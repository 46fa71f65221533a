using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelPrune.Engine.Tests.Calibration;
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

    /// <summary>A softmax over [batch, positions, classes] is per-position classification, not an embedding (issue 12).</summary>
    [Fact]
    public void Softmax_outputs_per_position_are_judged_by_per_position_class_agreement()
    {
        var output = Prune("token_classifier.onnx", FixtureModels.TokenClassifier(), "--sparsity", "0.6");

        Assert.Equal("token-classification", output.GetProperty("task").GetString());
        Assert.Equal("auto: [4, 6, 40] is [batch, positions, classes] whose rows are probabilities (non-negative, summing to 1)", output.GetProperty("taskReason").GetString());
        Assert.InRange(output.GetProperty("top1Agreement").GetDouble(), 0, 1);
        Assert.True(output.GetProperty("meanKlDivergence").GetDouble() > 0);
        Assert.False(output.TryGetProperty("meanItemCosine", out _));
        Assert.False(output.TryGetProperty("neighbourAgreement", out _));
    }

    /// <summary>
    /// With labels [samples, positions] the output gets per-position accuracy of both models; every number is checked
    /// against both models run here in ONNX Runtime, position by position.
    /// </summary>
    [Fact]
    public void Per_position_accuracy_and_agreement_match_onnx_runtime_position_by_position()
    {
        const int Samples = 10, Positions = 6, Width = 8, Classes = 40;
        var model = ModelFiles.Write(_folder, "tokens.onnx", FixtureModels.TokenClassifier());
        var random = new Random(5);
        var features = Enumerable.Range(0, Samples * Positions * Width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var labels = Enumerable.Range(0, Samples * Positions).Select(i => (long)random.Next(Classes)).ToArray();
        var original = Run(model, features, Samples);
        // Half the labels are the original's own answers, so the accuracy is neither 0 nor 1; one is ignored (-100).
        for (var i = 0; i < labels.Length; i += 2) labels[i] = ArgMax(original, i, Classes);
        labels[1] = -100;
        var evaluation = _folder.File("tokens.eval.npz");
        NumpyFiles.WriteNpz(evaluation, compressed: false,
            ("features", NpyTestArray.Float32(features, Samples, Positions, Width)),
            ("labels", NpyTestArray.Int64(labels, Samples, Positions)));

        var pruned = _folder.File("out/tokens.onnx");
        var (exitCode, text) = EngineCli.Run("prune", model, "-o", pruned, "--sparsity", "0.7", "--evaluation", evaluation, "--no-cache");
        Assert.True(exitCode == 0, text);
        var result = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(pruned, ".prune.json"))).RootElement
            .GetProperty("evaluation").GetProperty("outputs")[0];
        var after = Run(pruned, features, Samples);

        int agree = 0, labelled = 0, correctBefore = 0, correctAfter = 0;
        for (var row = 0; row < Samples * Positions; row++)
        {
            var (a, b) = (ArgMax(original, row, Classes), ArgMax(after, row, Classes));
            if (a == b) agree++;
            if (labels[row] < 0) continue;
            labelled++;
            if (a == labels[row]) correctBefore++;
            if (b == labels[row]) correctAfter++;
        }

        Assert.Equal("token-classification", result.GetProperty("task").GetString());
        Assert.EndsWith("with labels", result.GetProperty("taskReason").GetString());
        Assert.Equal((double)agree / (Samples * Positions), result.GetProperty("top1Agreement").GetDouble(), 5);
        Assert.Equal((double)correctBefore / labelled, result.GetProperty("accuracyOriginal").GetDouble(), 5);
        Assert.Equal((double)correctAfter / labelled, result.GetProperty("accuracyPruned").GetDouble(), 5);
        Assert.InRange(result.GetProperty("accuracyOriginal").GetDouble(), 0.5, 0.99);
    }

    private static float[] Run(string model, float[] features, int samples)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(features, new[] { samples, 6, 8 })) });
        return results.First().AsTensor<float>().ToArray();
    }

    private static long ArgMax(float[] values, int row, int classes)
    {
        var best = 0;
        for (var c = 1; c < classes; c++)
        {
            if (values[(row * classes) + c] > values[(row * classes) + best]) best = c;
        }

        return best;
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
        var task = options.Contains("--task") ? options[Array.IndexOf(options, "--task") + 1].ToLowerInvariant() : "auto";
        Assert.Equal(task, report.GetProperty("evaluation").GetProperty("task").GetString());
        return report.GetProperty("evaluation").GetProperty("outputs")[0].Clone();
    }
}
