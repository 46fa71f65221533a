using System.Runtime.InteropServices;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// One array read from a .npy file: its NumPy dtype string (e.g. <c>&lt;f4</c>), shape and raw
/// little-endian C-order bytes. Typed views convert on demand (they reinterpret the bytes, which assumes
/// a little-endian machine like every one .NET runs ONNX Runtime on).
/// </summary>
internal sealed class NpyArray
{
    public NpyArray(string dtype, IReadOnlyList<long> shape, byte[] data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    public string DType { get; }

    public IReadOnlyList<long> Shape { get; }

    public byte[] Data { get; }

    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);

    public float[] ToFloat32()
    {
        return DType switch
        {
            "<f4" => MemoryMarshal.Cast<byte, float>(Data).ToArray(),
            "<f8" => MemoryMarshal.Cast<byte, double>(Data).ToArray().Select(v => (float)v).ToArray(),
            _ => throw new InvalidOperationException($"dtype {DType} is not a float array"),
        };
    }

    public long[] ToInt64()
    {
        return DType switch
        {
            "<i8" => MemoryMarshal.Cast<byte, long>(Data).ToArray(),
            "<i4" => MemoryMarshal.Cast<byte, int>(Data).ToArray().Select(v => (long)v).ToArray(),
            "|u1" or "|i1" or "|b1" => Data.Select(v => (long)v).ToArray(),
            _ => throw new InvalidOperationException($"dtype {DType} is not an integer array"),
        };
    }
}
