using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Quantization.Formats;
using ModelPrune.Fixtures;
using Onnx;
using Xunit.Abstractions;
using static ModelPrune.Engine.Tests.Quantization.Formats.QuantizedModelCheck;

namespace ModelPrune.Engine.Tests.Quantization.Formats;

public sealed class DequantizeLinearWriterTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DequantizeLinear_on_Gemm_weights_with_transB_1_and_0_runs_like_the_dequantized_weights(bool symmetric)
    {
        // W1 and W3 are [N, K] (transB=1, axis 0), W2 is [K, N] (transB=0, axis 1).
        var model = FixtureModels.GemmMlp();
        AssertWrittenLikeDequantized($"GemmMlp {(symmetric ? "symmetric" : "asymmetric")}", model, new[] { "W1", "W2", "W3" }, symmetric);
        Assert.Equal(new long[] { 0, 1, 0 }, Axes(model, "W1", "W2", "W3"));
    }

    [Fact]
    public void DequantizeLinear_on_MatMul_weights_shared_first_operand_and_Constant_nodes_runs_like_the_dequantized_weights()
    {
        foreach (var symmetric in new[] { true, false })
        {
            MatMulWeightsRunLikeTheDequantizedWeights(symmetric);
        }
    }

    [Fact]
    public void DequantizeLinear_on_Conv_weights_runs_like_the_dequantized_weights_also_from_position_major_columns()
    {
        var model = FixtureModels.SmallCnn();
        AssertWrittenLikeDequantized("SmallCnn", model, new[] { "conv1.weight", "fc.weight" }, symmetric: false);

        // Random codes in position-major order (as N:M-aware quantizers see a Conv row) must land channel-major.
        var original = model.Clone();
        var reference = model.Clone();
        var weight = Weight(model, "conv2.weight");
        var order = new ConvColumnOrder(channels: 8, positions: 9);
        var random = new Random(5);
        var codes = Enumerable.Range(0, 16 * 72).Select(_ => (byte)random.Next(256)).ToArray();
        var scales = Enumerable.Range(0, 16).Select(_ => (float)(0.001 + (random.NextDouble() * 0.01))).ToArray();
        var zeros = Enumerable.Range(0, 16).Select(_ => (byte)random.Next(100, 156)).ToArray();
        var quantized = new QuantizedMatrix(16, 72, 8, 72, codes, scales, zeros);
        var result = DequantizeLinearWriter.Write(model, weight, quantized, order);
        Assert.True(result.Written, result.SkipReason);
        Store(Weight(reference, "conv2.weight"), order.RestoreRows(quantized.Dequantize(), 16));

        AssertRunsLikeReference(output, "SmallCnn conv2 position-major random codes", original, model, reference);
    }

    [Fact]
    public void ONNX_Runtime_fuses_int8_DequantizeLinear_before_MatMul_and_computes_it_in_int8_unless_told_otherwise()
    {
        // A measured fact the evaluation has to know: with default session options the DequantizeLinear model
        // does not compute exactly with its stored weights; accuracy level 0 makes it (the tests above use 0).
        var model = FixtureModels.ConstantAndIfModel();
        var reference = model.Clone();
        var weight = Weight(model, "W_base");
        var (W, rows, cols) = Matrix(weight);
        var quantized = Rtn(W, rows, cols, 8, cols, symmetric: true);
        Assert.True(DequantizeLinearWriter.Write(model, weight, quantized).Written);
        Store(Weight(reference, "W_base"), quantized.Dequantize());

        var fused = MaxRelativeDeviation(model, reference, fusedAccuracyLevel: null);
        var float32 = MaxRelativeDeviation(model, reference, fusedAccuracyLevel: "0");
        output.WriteLine($"default session {fused:E2}, accuracy level 0 {float32:E2}");
        Assert.True(fused > Tolerance, $"default session deviation {fused}: ONNX Runtime no longer computes the fused weight in int8");
        Assert.True(float32 <= Tolerance, $"accuracy level 0 deviation {float32}");
    }

    [Fact]
    public void DequantizeLinear_refuses_with_a_reason_and_leaves_the_model_untouched()
    {
        var gemm = FixtureModels.GemmMlp();
        var W1 = Weight(gemm, "W1");
        var (W, rows, cols) = Matrix(W1);
        var oldOpset = FixtureModels.GemmMlp();
        oldOpset.OpsetImport.Single().Version = 12;
        var lstm = FixtureModels.LstmModel();
        var lstmWeight = PrunableWeightFinder.Find(lstm)[0];
        var lstmMatrix = Matrix(lstmWeight);
        var half = FixtureModels.Float16Mlp();
        var halfWeight = PrunableWeightFinder.Find(half)[0];
        var halfMatrix = Matrix(halfWeight);
        AssertRefused(
            output,
            (model, weight, quantized) => DequantizeLinearWriter.Write(model, weight, quantized),
            (gemm, W1, Rtn(W, rows, cols, 4, cols, false), "8-bit"),
            (gemm, W1, Rtn(W, rows, cols, 8, 8, false), "needs per-channel"),
            (gemm, W1, Rtn(W, cols, rows, 8, rows, false), "as rows × inputs"),
            (oldOpset, Weight(oldOpset, "W1"), Rtn(W, rows, cols, 8, cols, false), "opset 13"),
            (lstm, lstmWeight, Rtn(lstmMatrix.W, lstmMatrix.Rows, lstmMatrix.Cols, 8, lstmMatrix.Cols, false), "feeds LSTM"),
            (half, halfWeight, Rtn(halfMatrix.W, halfMatrix.Rows, halfMatrix.Cols, 8, halfMatrix.Cols, false), "float16"));
    }

    private void MatMulWeightsRunLikeTheDequantizedWeights(bool symmetric)
    {
        var mlp = FixtureModels.MatMulMlp();
        AssertWrittenLikeDequantized($"MatMulMlp {(symmetric ? "symmetric" : "asymmetric")}", mlp, new[] { "W1", "W_shared", "W_out" }, symmetric);
        Assert.Equal(new long[] { 1, 1, 0 }, Axes(mlp, "W1", "W_shared", "W_out"));

        var branches = FixtureModels.ConstantAndIfModel();
        AssertWrittenLikeDequantized($"ConstantAndIf {(symmetric ? "symmetric" : "asymmetric")}", branches, new[] { "W_const1", "W_base", "W_then", "W_outer" }, symmetric);

        // The Constant node is replaced where it stood, so the graph stays in topological order.
        var nodes = branches.Graph.Node.ToList();
        var producer = nodes.FindIndex(n => n.Output.Contains("W_const1"));
        Assert.Equal("DequantizeLinear", nodes[producer].OpType);
        Assert.Equal(producer + 1, nodes.FindIndex(n => n.Name == "matmul_const"));
    }

    /// <summary>RTN int8 per channel on each weight, written as DequantizeLinear, against the float model of the same values.</summary>
    private void AssertWrittenLikeDequantized(string label, ModelProto model, string[] names, bool symmetric)
    {
        var original = model.Clone();
        var reference = model.Clone();
        foreach (var name in names)
        {
            var weight = Weight(model, name);
            var (W, rows, cols) = Matrix(weight);
            var quantized = Rtn(W, rows, cols, 8, cols, symmetric);
            var result = DequantizeLinearWriter.Write(model, weight, quantized);
            Assert.True(result.Written, result.SkipReason);
            Store(Weight(reference, name), quantized.Dequantize());
        }

        AssertRunsLikeReference(output, label, original, model, reference);
        Assert.True(MaxRelativeDeviation(model, original) > 1e-6, "the quantized model computes exactly what the float model does");
        Assert.Equal(17, model.OpsetImport.Single().Version);
        var codeType = symmetric ? TensorProto.Types.DataType.Int8 : TensorProto.Types.DataType.Uint8;
        Assert.All(names, name => Assert.Equal((int)codeType, AllInitializers(model.Graph).Single(t => t.Name == $"{name}_quantized").DataType));
    }

    private static long[] Axes(ModelProto model, params string[] names) =>
        names.Select(name => model.Graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Output[0] == name).Attribute.Single(a => a.Name == "axis").I).ToArray();

    private static IEnumerable<TensorProto> AllInitializers(GraphProto graph) =>
        graph.Initializer.Concat(graph.Node.SelectMany(n => n.Attribute).Where(a => a.G is not null).SelectMany(a => AllInitializers(a.G)));
}
