using Google.Protobuf;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>The initializers the quantized formats are made of, always as raw_data (the compact encoding).</summary>
internal static class QuantizedTensors
{
    /// <summary>What the tensors take in the model file (their raw data).</summary>
    public static long Bytes(IEnumerable<TensorProto> tensors) => tensors.Sum(t => (long)t.RawData.Length);

    public static TensorProto UInt8(string name, IEnumerable<long> dims, byte[] values) =>
        Raw(name, dims, TensorProto.Types.DataType.Uint8, values);

    /// <summary><paramref name="values"/> hold the int8 values' two's-complement bytes.</summary>
    public static TensorProto Int8(string name, IEnumerable<long> dims, byte[] values) =>
        Raw(name, dims, TensorProto.Types.DataType.Int8, values);

    public static TensorProto Float(string name, IEnumerable<long> dims, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            // ONNX raw_data is little-endian whatever the machine is.
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return Raw(name, dims, TensorProto.Types.DataType.Float, bytes);
    }

    /// <summary>
    /// Codes of <paramref name="bits"/> (4 or 8) bits, <paramref name="perRow"/> per row, each row starting on a
    /// byte: with 4 bits element 2j goes to the low nibble of byte j and 2j+1 to the high nibble, the layout
    /// ONNX Runtime's MatMulNBits reads. An odd row's last high nibble stays 0.
    /// </summary>
    public static byte[] PackRows(int rows, int perRow, int bits, Func<int, int, byte> code)
    {
        var bytesPerRow = ((perRow * bits) + 7) / 8;
        var packed = new byte[rows * bytesPerRow];
        for (var r = 0; r < rows; r++)
        {
            var offset = r * bytesPerRow;
            for (var i = 0; i < perRow; i++)
            {
                var value = code(r, i);
                if (bits == 8)
                {
                    packed[offset + i] = value;
                }
                else
                {
                    packed[offset + (i / 2)] |= (byte)((value & 0x0F) << (4 * (i % 2)));
                }
            }
        }

        return packed;
    }

    private static TensorProto Raw(string name, IEnumerable<long> dims, TensorProto.Types.DataType type, byte[] bytes)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);

        // The array is fresh and owned by the tensor from here on, so wrapping it saves a copy.
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        return tensor;
    }
}
