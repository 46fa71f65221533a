using Google.Protobuf;
using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Onnx;

/// <summary>The wire walk finds fields where the serializer put them, and refuses bytes that are not a message.</summary>
public sealed class ProtobufWireTests
{
    [Fact]
    public void The_fields_of_a_tensor_lie_where_the_serializer_wrote_them()
    {
        var tensor = QuantizationFixtures.MatMulChain(3, 16, 32).Graph.Initializer[0];
        var bytes = tensor.ToByteArray();
        var fields = new List<ProtobufWire.Field>();

        Assert.True(ProtobufWire.TryReadFields(bytes, 0, bytes.Length, fields));

        var raw = fields.Single(f => f.Number == 9);
        Assert.Equal(ProtobufWire.LengthDelimited, raw.WireType);
        Assert.Equal(tensor.RawData.ToByteArray(), bytes.AsSpan((int)raw.Start, (int)raw.Length).ToArray());
        Assert.Equal(tensor.Name, System.Text.Encoding.UTF8.GetString(bytes, (int)fields.Single(f => f.Number == 8).Start, (int)fields.Single(f => f.Number == 8).Length));
        Assert.Equal(ProtobufWire.Varint, fields.Single(f => f.Number == 2).WireType);
    }

    [Theory]
    [InlineData(new byte[] { 0x4A, 0x05, 1, 2 }, "a length past the end")]
    [InlineData(new byte[] { 0x08 }, "a varint cut off")]
    [InlineData(new byte[] { 0x0B, 0x0C }, "a group")]
    [InlineData(new byte[] { 0x00 }, "field number 0")]
    [InlineData(new byte[] { 0x0D, 1, 2 }, "a fixed32 cut off")]
    public void Bytes_that_are_not_a_message_are_refused(byte[] bytes, string what)
    {
        Assert.False(ProtobufWire.TryReadFields(bytes, 0, bytes.Length, new List<ProtobufWire.Field>()), what);
    }
}
