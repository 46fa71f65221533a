using ModelPrune.Engine.Quantization.Formats;
using Xunit.Abstractions;
using static ModelPrune.Engine.Tests.Quantization.Formats.QuantizedModelCheck;

namespace ModelPrune.Engine.Tests.Quantization.Formats;

public sealed class MatMulNBitsWriterTests(ITestOutputHelper output)
{
    [Fact]
    public void MatMulNBits_refuses_with_a_reason_and_leaves_the_model_untouched()
    {
        var chain = ModelPrune.Fixtures.QuantizationFixtures.MatMulChain(14, 64, 16);
        var mlp = ModelPrune.Fixtures.FixtureModels.MatMulMlp();
        var gemm = ModelPrune.Fixtures.FixtureModels.GemmMlp();
        var W1 = Weight(chain, "W1");
        var (W, rows, cols) = Matrix(W1);
        AssertRefused(
            output,
            (model, weight, quantized) => MatMulNBitsWriter.Write(model, weight, quantized),
            (chain, W1, Rtn(W, rows, cols, 4, 40, false), "not MatMulNBits-compatible: group size 40"),
            (chain, W1, Rtn(W, rows, cols, 3, 32, false), "4 or 8 bits"),
            (chain, W1, Rtn(W, cols, rows, 4, 16, false), "needs [N, K]"),
            (mlp, Weight(mlp, "W_out"), Rtn(Matrix(Weight(mlp, "W_out")).W, 8, 20, 4, 16, false), "not MatMulNBits-compatible"),
            (gemm, Weight(gemm, "W1"), Rtn(Matrix(Weight(gemm, "W1")).W, 32, 16, 4, 16, false), "feeds Gemm"));
    }

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
        var model = ModelPrune.Fixtures.QuantizationFixtures.MatMulChain(11, 256, 256, 32);
        var original = WriteLikeDequantized($"int{bits} group {groupSize} {(symmetric ? "symmetric" : "asymmetric")}", model, new[] { "W1", "W2" }, bits, groupSize, symmetric);

        Assert.True(MaxRelativeDeviation(model, original) > Tolerance, "the quantized model computes exactly what the float model does");
        Assert.Equal(new[] { "MatMulNBits", "Relu", "MatMulNBits" }, model.Graph.Node.Select(n => n.OpType));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name is "W1" or "W2");
        Assert.Equal(symmetric ? 0 : 2, model.Graph.Node.Count(n => n.Input.Count == 4));
        Assert.Contains(model.OpsetImport, o => o.Domain == MatMulNBitsWriter.Domain && o.Version == 1);
        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain.Length == 0).Version);
    }

    [Theory]
    [InlineData(40, 4, 32, 32)]
    [InlineData(40, 8, 32, 32)]
    [InlineData(40, 4, 40, 64)]
    [InlineData(40, 4, 48, 64)]
    [InlineData(512, 4, 256, 256)]
    [InlineData(512, 4, 512, 128)]
    [InlineData(512, 8, 48, 16)]
    public void MatMulNBits_pads_K_to_whole_blocks_and_repeats_a_group_scale_in_each_of_its_blocks(int K, int bits, int groupSize, int expectedBlock)
    {
        // K = 40: group 32 leaves a last block of 8; groups of 40 or 48 are one group per row (block 64, padded).
        // K = 512: group 256 is block 256; one group per row is written as blocks of 128; group 48 as blocks of 16.
        var model = ModelPrune.Fixtures.QuantizationFixtures.MatMulChain(12, K, 24);
        WriteLikeDequantized($"K={K} int{bits} group {groupSize}", model, new[] { "W1" }, bits, groupSize, symmetric: false);

        Assert.Equal(expectedBlock, model.Graph.Node[0].Attribute.Single(a => a.Name == "block_size").I);
    }

    [Fact]
    public void MatMulNBits_writes_weights_in_Constant_nodes_behind_Identity_chains_and_in_If_branches()
    {
        var model = ModelPrune.Fixtures.FixtureModels.ConstantAndIfModel();
        WriteLikeDequantized("Constant, Identity chain, If branches, int4 group 16", model, new[] { "W_const1", "W_base", "W_then", "W_outer" }, 4, 16, symmetric: false);

        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "Identity" or "MatMul" || n.Output.Contains("W_const1"));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name is "W_base" or "W_outer");
        Assert.Empty(Engine.Onnx.PrunableWeightFinder.Find(model));
    }

    [Fact]
    public void MatMulNBits_writes_a_weight_shared_by_two_MatMuls_once()
    {
        var model = ModelPrune.Fixtures.FixtureModels.MatMulMlp();
        WriteLikeDequantized("MatMulMlp W1 (float_data) and W_shared, int8 group 16", model, new[] { "W1", "W_shared" }, 8, 16, symmetric: true);

        Assert.Equal(3, model.Graph.Node.Count(n => n.OpType == "MatMulNBits"));
        Assert.Single(model.Graph.Initializer, t => t.Name.StartsWith("W_shared_q8"));
    }

    /// <summary>
    /// Writes each weight as MatMulNBits and checks the model against its float twin with the same weights
    /// dequantized; returns the model as it was before.
    /// </summary>
    private global::Onnx.ModelProto WriteLikeDequantized(string label, global::Onnx.ModelProto model, string[] names, int bits, int groupSize, bool symmetric)
    {
        var original = model.Clone();
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

        AssertRunsLikeReference(output, label, original, model, reference);
        return original;
    }
}
