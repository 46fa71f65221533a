using System.Runtime.InteropServices;

namespace ModelPrune.Engine.Tests.Calibration;

/// <summary>An array as numpy would save it: dtype descr, shape, little-endian C-order bytes.</summary>
public sealed record NpyTestArray(string DType, long[] Shape, byte[] Data)
{
    public static NpyTestArray Float32(float[] values, params long[] shape) => new("<f4", shape, Bytes(values));

    public static NpyTestArray Float64(double[] values, params long[] shape) => new("<f8", shape, Bytes(values));

    public static NpyTestArray Int64(long[] values, params long[] shape) => new("<i8", shape, Bytes(values));

    public static NpyTestArray Int32(int[] values, params long[] shape) => new("<i4", shape, Bytes(values));

    public static NpyTestArray Bool(bool[] values, params long[] shape) => new("|b1", shape, values.Select(v => v ? (byte)1 : (byte)0).ToArray());

    /// <summary>0, 1, 2, ... offset by <paramref name="start"/>, so every sample's values say where it came from.</summary>
    public static float[] Sequence(int count, float start = 0) => Enumerable.Range(0, count).Select(i => start + i).ToArray();

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
