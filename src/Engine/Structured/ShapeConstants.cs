using System.Buffers.Binary;
using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>Reads and rewrites the int64/int32 constants that spell shapes, axes and indices.</summary>
internal static class ShapeConstants
{
    private const int Int32 = (int)TensorProto.Types.DataType.Int32;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;

    /// <summary>The values, or null for a tensor that is not integer.</summary>
    public static long[]? Read(TensorProto tensor)
    {
        if (tensor.DataType == Int64)
        {
            if (tensor.RawData.Length == 0) return tensor.Int64Data.ToArray();
            var raw = tensor.RawData.Span;
            return Enumerable.Range(0, raw.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(tensor.RawData.Span[(8 * i)..])).ToArray();
        }

        if (tensor.DataType == Int32)
        {
            if (tensor.RawData.Length == 0) return tensor.Int32Data.Select(v => (long)v).ToArray();
            return Enumerable.Range(0, tensor.RawData.Length / 4).Select(i => (long)BinaryPrimitives.ReadInt32LittleEndian(tensor.RawData.Span[(4 * i)..])).ToArray();
        }

        return null;
    }

    public static void Write(TensorProto tensor, int element, long value)
    {
        if (tensor.RawData.Length == 0)
        {
            if (tensor.DataType == Int64) tensor.Int64Data[element] = value;
            else tensor.Int32Data[element] = checked((int)value);
            return;
        }

        var bytes = tensor.RawData.ToByteArray();
        if (tensor.DataType == Int64) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * element), value);
        else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * element), checked((int)value));
        tensor.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
    }

}
