using System.Text.Json;
using Google.Protobuf;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Robustness;

/// <summary>
/// A NaN in a weight used to be accepted silently, and NaN outputs of both models reported as perfect agreement (or
/// ended in MP9002). Now the layer is left dense with warning MP1095 naming it, and outputs the original model cannot
/// compute finitely stop the run with MP1096 instead of a report that means nothing.
/// </summary>
public sealed class NonFiniteWeightTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_weight_with_an_infinite_value_is_left_dense_with_MP1095_naming_it()
    {
        var (model, weight) = ModelWith(float.PositiveInfinity);
        var output = _folder.File("out/inf.onnx");

        var (exitCode, text) = EngineCli.Run("prune", model, "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        Assert.Contains($"warning MP1095: Layer '{weight}' was left dense: it holds 1 NaN or infinite values", text);
        var layer = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement
            .GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == weight);
        Assert.Equal("skipped", layer.GetProperty("status").GetString());
    }

    [Fact]
    public void Quantization_leaves_a_weight_with_an_infinite_value_float_and_says_why()
    {
        var (model, weight) = ModelWith(float.PositiveInfinity);
        var output = _folder.File("out/inf-int8.onnx");

        var (exitCode, text) = EngineCli.Run("prune", model, "-o", output, "--quantize", "int8", "--no-cache");

        Assert.True(exitCode == 0, text);
        var quantization = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement
            .GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == weight).GetProperty("quantization");
        Assert.Equal("float", quantization.GetProperty("format").GetString());
        Assert.Contains("NaN or infinite", quantization.GetProperty("reason").GetString());
    }

    [Fact]
    public void NaN_outputs_of_the_original_model_stop_the_run_with_MP1096_instead_of_a_perfect_score()
    {
        var (model, _) = ModelWith(float.NaN);
        var output = _folder.File("out/nan.onnx");

        var (exitCode, text) = EngineCli.Run("prune", model, "-o", output, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1096:", text);
        Assert.DoesNotContain("MP9", text);
        Assert.False(File.Exists(output), "no model and no report that means nothing");
    }

    private (string Path, string Weight) ModelWith(float bad)
    {
        var proto = FixtureModels.GemmMlp();
        var weight = proto.Graph.Initializer.First(t => t.Dims.Count == 2);
        var values = weight.RawData.ToByteArray();
        BitConverter.GetBytes(bad).CopyTo(values, 8);
        weight.RawData = ByteString.CopyFrom(values);
        return (ModelFiles.Write(_folder, $"broken-{bad}.onnx", proto), weight.Name);
    }
}
