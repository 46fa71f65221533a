using Google.Protobuf;
using ModelPrune.Engine.Structured;
using Onnx;

namespace ModelPrune.Engine.Tests.Structured;

public sealed class TensorSlicerTests
{
    [Fact]
    public void The_slicer_keeps_the_chosen_indices_of_an_axis_in_raw_and_typed_storage()
    {
        var raw = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2, 3 } };
        raw.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new float[] { 1, 2, 3, 4, 5, 6 }.AsSpan()));
        var typed = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 2, 3 }, Int64Data = { 1, 2, 3, 4, 5, 6 } };

        TensorSlicer.Keep(raw, 1, new[] { 0, 2 });
        TensorSlicer.Keep(typed, 0, new[] { 1 });

        Assert.Equal(new long[] { 2, 2 }, raw.Dims);
        Assert.Equal(new float[] { 1, 3, 4, 6 }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw.RawData.Span).ToArray());
        Assert.Equal(new long[] { 1, 3 }, typed.Dims);
        Assert.Equal(new long[] { 4, 5, 6 }, typed.Int64Data);
    }
}
