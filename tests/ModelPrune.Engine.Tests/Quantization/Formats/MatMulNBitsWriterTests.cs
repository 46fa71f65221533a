using Google.Protobuf;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Quantization.Formats;
using ModelPrune.Fixtures;
using Onnx;
using Xunit.Abstractions;
using static ModelPrune.Engine.Tests.Quantization.Formats.QuantizedModelCheck;

namespace ModelPrune.Engine.Tests.Quantization.Formats;

public sealed class MatMulNBitsWriterTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(4, 32, true)]
    [InlineData(4, 32, false)]
    [InlineData(4, 128, true)]
    [InlineData(4, 128, false)]
    [InlineData(8, 32, true)]
    [InlineData(8, 32, false)]
    [InlineData(8, 128, true)]
    [InlineData(8, 128, false)]
    public void MatMulNBits_runs_in_onnx_runtime_like_the_dequantized_weights(int bits, int groupSize, bool symmetric)
    {
        var model = FormatTestModels.MatMulChain(11, 256, 256, 32);
        var original = model.Clone();
        var reference = QuantizeAll(model, new[] { "W1", "W2" }, bits, groupSize, symmetric);

        var deviation = MaxRelativeDeviation(model, reference);
        Report($"int{bits} group {groupSize} {(symmetric ? "symmetric" : "asymmetric")}", original, model, deviation);
        Assert.True(deviation <= Tolerance, $"max relative deviation {deviation}");
        Assert.True(MaxRelativeDeviation(model, original) > Tolerance, "the quantized model computes exactly what the float model does");
        Assert.True(model.ToByteArray().Length < original.ToByteArray().Length);
        AssertSameInterface(original, model);
        Assert.Equal(new[] { "MatMulNBits", "Relu", "MatMulNBits" }, model.Graph.Node.Select(n => n.OpType));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2 && t.Dims[1] > 1 && t.Name.StartsWith('W') && !t.Name.Contains("_scales"));
        Assert.Equal(symmetric ? 0 : 2, model.Graph.Node.Count(n => n.Input.Count == 4));
        Assert.Contains(model.OpsetImport, o => o.Domain == MatMulNBitsWriter.Domain && o.Version == 1);
        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain.Length == 0).Version);
    }

    [Theory]
    [InlineData(4, 32)]
    [InlineData(8, 32)]
    [InlineData(4, 40)]
    [InlineData(4, 48)]
    public void MatMulNBits_pads_K_that_is_not_a_multiple_of_the_block(int bits, int groupSize)
    {
        // K = 40: group 32 leaves a last block of 8; group 40 is one group per row (block 64); group 48 > K as well.
        var model = FormatTestModels.MatMulChain(12, 40, 24);
        var original = model.Clone();
        var reference = QuantizeAll(model, new[] { "W1" }, bits, groupSize, symmetric: false);

        var deviation = MaxRelativeDeviation(model, reference);
        Report($"K=40 int{bits} group {groupSize}", original, model, deviation);
        Assert.True(deviation <= Tolerance, $"max relative deviation {deviation}");
    }

    [Theory]
    [InlineData(4, 256, 256)]
    [InlineData(4, 512, 128)]
    [InlineData(8, 48, 16)]
    public void MatMulNBits_group_sizes_above_a_block_repeat_their_scale_in_each_block(int bits, int groupSize, int expectedBlock)
    {
        var model = FormatTestModels.MatMulChain(13, 512, 16);
        var original = model.Clone();
        var reference = QuantizeAll(model, new[] { "W1" }, bits, groupSize, symmetric: false);

        var deviation = MaxRelativeDeviation(model, reference);
        Report($"K=512 int{bits} group {groupSize}", original, model, deviation);
        Assert.True(deviation <= Tolerance, $"max relative deviation {deviation}");
        Assert.Equal(expectedBlock, model.Graph.Node[0].Attribute.Single(a => a.Name == "block_size").I);
    }

    [Fact]
    public void MatMulNBits_writes_weights_in_Constant_nodes_behind_Identity_chains_and_in_If_branches()
    {
        var model = FixtureModels.ConstantAndIfModel();
        var original = model.Clone();
        var names = new[] { "W_const1", "W_base", "W_then", "W_outer" };
        var reference = QuantizeAll(model, names, 4, 16, symmetric: false);

        // The If takes either branch depending on the sign of the input's sum.
        var deviation = Math.Max(MaxRelativeDeviation(model, reference, shift: 1f), MaxRelativeDeviation(model, reference, shift: -1f));
        Report("Constant, Identity chain, If branches, int4 group 16", original, model, deviation);
        Assert.True(deviation <= Tolerance, $"max relative deviation {deviation}");
        AssertSameInterface(original, model);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "Identity" or "MatMul" || n.Output.Contains("W_const1"));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name is "W_base" or "W_outer");
        Assert.Empty(Engine.Onnx.PrunableWeightFinder.Find(model));
    }

    [Fact]
    public void MatMulNBits_writes_a_weight_shared_by_two_MatMuls_once()
    {
        var model = FixtureModels.MatMulMlp();
        var original = model.Clone();
        var reference = QuantizeAll(model, new[] { "W1", "W_shared" }, 8, 16, symmetric: true);

        var deviation = MaxRelativeDeviation(model, reference);
        Report("MatMulMlp W1 (float_data) and W_shared, int8 group 16", original, model, deviation);
        Assert.True(deviation <= Tolerance, $"max relative deviation {deviation}");
        Assert.Equal(3, model.Graph.Node.Count(n => n.OpType == "MatMulNBits"));
        Assert.Single(model.Graph.Initializer, t => t.Name.StartsWith("W_shared_q8"));
    }

    [Fact]
    public void MatMulNBits_refuses_with_a_reason_and_leaves_the_model_untouched()
    {
        var chain = FormatTestModels.MatMulChain(14, 64, 16);
        var mlp = FixtureModels.MatMulMlp();
        var gemm = FixtureModels.GemmMlp();
        var W1 = Weight(chain, "W1");
        var (W, rows, cols) = Matrix(W1);
        var cases = new (ModelProto Model, Engine.Onnx.PrunableWeight Weight, QuantizedMatrix Quantized, string Reason)[]
        {
            (chain, W1, Rtn(W, rows, cols, 4, 40, false), "not MatMulNBits-compatible: group size 40"),
            (chain, W1, Rtn(W, rows, cols, 3, 32, false), "4 or 8 bits"),
            (chain, W1, Rtn(W, cols, rows, 4, 16, false), "needs [N, K]"),
            (mlp, Weight(mlp, "W_out"), Rtn(Matrix(Weight(mlp, "W_out")).W, 8, 20, 4, 16, false), "not MatMulNBits-compatible"),
            (gemm, Weight(gemm, "W1"), Rtn(Matrix(Weight(gemm, "W1")).W, 32, 16, 4, 16, false), "feeds Gemm"),
        };

        foreach (var (model, weight, quantized, reason) in cases)
        {
            var before = model.ToByteArray();
            var result = MatMulNBitsWriter.Write(model, weight, quantized);
            output.WriteLine($"{weight.Name}: {result.SkipReason}");
            Assert.False(result.Written);
            Assert.Contains(reason, result.SkipReason);
            Assert.Equal(before, model.ToByteArray());
        }
    }

    /// <summary>Writes each weight as MatMulNBits; returns the float model with the same weights dequantized.</summary>
    private static ModelProto QuantizeAll(ModelProto model, string[] names, int bits, int groupSize, bool symmetric)
    {
        var reference = model.Clone();
        foreach (var name in names)
        {
            var weight = Weight(model, name);
            var (W, rows, cols) = Matrix(weight);
            var quantized = Rtn(W, rows, cols, bits, groupSize, symmetric);
            var result = MatMulNBitsWriter.Write(model, weight, quantized);
            Assert.True(result.Written, result.SkipReason);
            Store(Weight(reference, name), quantized.Dequantize());
        }

        return reference;
    }

    private void Report(string label, ModelProto original, ModelProto quantized, double deviation) =>
        output.WriteLine($"{label}: max relative deviation {deviation:E2}, {original.ToByteArray().Length} -> {quantized.ToByteArray().Length} bytes");
}
