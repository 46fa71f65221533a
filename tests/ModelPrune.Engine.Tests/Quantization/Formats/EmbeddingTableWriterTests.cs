using Google.Protobuf;
using ModelPrune.Engine.Quantization.Formats;
using ModelPrune.Fixtures;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.Quantization.Formats;

public sealed class EmbeddingTableWriterTests(ITestOutputHelper output)
{
    [Fact]
    public void Gather_embedding_tables_become_int8_rows_that_run_like_the_dequantized_table()
    {
        var model = FixtureModels.EmbeddingModel();
        var original = model.Clone();
        var table = Assert.Single(EmbeddingTableWriter.Find(model));
        Assert.Equal("embedding", table.Name);
        Assert.Equal(new[] { "embed" }, table.NodeNames);
        var quantized = EmbeddingQuantizer.Quantize(table.Tensor.ReadValues(), 50, 16);

        var result = EmbeddingTableWriter.Write(model, table);
        Assert.True(result.Written, result.SkipReason);
        var reference = original.Clone();
        reference.Graph.Initializer.Single(t => t.Name == "embedding").RawData = ByteString.CopyFrom(quantized.Dequantize().SelectMany(BitConverter.GetBytes).ToArray());

        QuantizedModelCheck.AssertRunsLikeReference(output, "EmbeddingModel", original, model, reference);
        var toFloat = QuantizedModelCheck.MaxRelativeDeviation(model, original);
        output.WriteLine($"deviation from the float model {toFloat:E2}");
        Assert.True(toFloat is > 0 and < 0.05, $"int8 rows moved the output by {toFloat}");
        var dequantize = model.Graph.Node[0];
        Assert.Equal(("DequantizeLinear", "embedding", 0L), (dequantize.OpType, dequantize.Output[0], dequantize.Attribute.Single().I));
        Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Int8, model.Graph.Initializer.Single(t => t.Name == "embedding_quantized").DataType);
        Assert.Empty(EmbeddingTableWriter.Find(model));
    }

    [Fact]
    public void Embedding_tables_are_refused_below_opset_13_and_for_grouped_or_4_bit_codes()
    {
        var model = FixtureModels.EmbeddingModel();
        var table = EmbeddingTableWriter.Find(model)[0];
        var values = table.Tensor.ReadValues();
        var before = model.ToByteArray();
        var grouped = EmbeddingTableWriter.Write(model, table, QuantizedModelCheck.Rtn(values, 50, 16, 8, 8, symmetric: true));
        var fourBit = EmbeddingTableWriter.Write(model, table, QuantizedModelCheck.Rtn(values, 50, 16, 4, 16, symmetric: true));
        model.OpsetImport.Single().Version = 12;
        before = model.ToByteArray();
        var oldOpset = EmbeddingTableWriter.Write(model, table);

        foreach (var result in new[] { grouped, fourBit, oldOpset })
        {
            output.WriteLine(result.SkipReason);
            Assert.False(result.Written);
        }

        Assert.Contains("one scale per row", grouped.SkipReason);
        Assert.Contains("got 4 bits", fourBit.SkipReason);
        Assert.Contains("opset 13", oldOpset.SkipReason);
        Assert.Equal(before, model.ToByteArray());
    }

    [Fact]
    public void EmbeddingQuantizer_is_symmetric_absmax_over_127_rounding_half_to_even_and_keeps_zero_rows_zero()
    {
        // Row 0: scale 127/127 = 1, so 0.5 → 0 and 1.5 → 2, 2.5 → 2 (ties to even), -127 → -127.
        var table = new[] { 0.5f, 1.5f, 2.5f, -127f, 0f, 0f, 0f, 0f };
        var quantized = EmbeddingQuantizer.Quantize(table, 2, 4);

        Assert.Equal((8, 4, 1), (quantized.Bits, quantized.GroupSize, quantized.Groups));
        Assert.Equal(new[] { 1f, 1f }, quantized.Scales);
        Assert.Equal(new byte[] { 128, 128 }, quantized.Zeros);
        Assert.Equal(new byte[] { 128, 130, 130, 1, 128, 128, 128, 128 }, quantized.Codes);
        Assert.Equal(new[] { 0f, 2f, 2f, -127f, 0f, 0f, 0f, 0f }, quantized.Dequantize());
    }
}
