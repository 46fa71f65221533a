using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// Pairs each ONNX element type calibration data can carry with the one .npy dtype that stores it bit for bit.
/// There is deliberately no conversion table: float64 data for a float32 input is an error, because a silent
/// cast would hide a preprocessing mistake that also changes what the model sees.
/// </summary>
internal static class CalibrationElementTypes
{
    private static readonly (int ElementType, string DType, int Size)[] Table =
    {
        (1, "<f4", 4),   // float
        (11, "<f8", 8),  // double
        (10, "<f2", 2),  // float16
        (7, "<i8", 8),   // int64
        (6, "<i4", 4),   // int32
        (3, "|i1", 1),   // int8
        (2, "|u1", 1),   // uint8
        (9, "|b1", 1),   // bool
    };

    public static bool IsSupported(int elementType) => Table.Any(t => t.ElementType == elementType);

    public static string? DTypeOf(int elementType) =>
        Table.Where(t => t.ElementType == elementType).Select(t => t.DType).FirstOrDefault();

    public static int? ElementTypeOf(string dtype)
    {
        foreach (var entry in Table)
        {
            if (entry.DType == dtype) return entry.ElementType;
        }

        return null;
    }

    public static int SizeOf(int elementType) =>
        Table.Where(t => t.ElementType == elementType).Select(t => t.Size).FirstOrDefault();

    public static string Name(int elementType) => TensorElementTypes.Name(elementType);

    /// <summary>"float64 ('&lt;f8')": the numpy name users know, and the descr they can check in the file header.</summary>
    public static string DescribeDType(string dtype) =>
        ElementTypeOf(dtype) is { } type ? $"{Name(type)} ('{dtype}')" : $"'{dtype}'";

    public static string SupportedNames() => string.Join(", ", Table.Select(t => Name(t.ElementType)));

    /// <summary>Copies little-endian element bytes into the managed array type ONNX Runtime binds for that element type.</summary>
    public static Array ToTypedArray(int elementType, ReadOnlySpan<byte> bytes) => elementType switch
    {
        1 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
        11 => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
        10 => MemoryMarshal.Cast<byte, Float16>(bytes).ToArray(),
        7 => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
        6 => MemoryMarshal.Cast<byte, int>(bytes).ToArray(),
        3 => MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(),
        2 => bytes.ToArray(),

        // numpy writes 0 or 1, but any non-zero byte means true there, and a bool other than 0/1 is undefined in .NET.
        9 => ToBools(bytes),
        _ => throw new InvalidOperationException($"Element type {Name(elementType)} is not a calibration type."),
    };

    public static OrtValue ToOrtValue(Array data, long[] shape) => data switch
    {
        float[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        double[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        Float16[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        long[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        int[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        sbyte[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        byte[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        bool[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        _ => throw new InvalidOperationException($"A {data.GetType().Name} is not a calibration array."),
    };

    private static bool[] ToBools(ReadOnlySpan<byte> bytes)
    {
        var values = new bool[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            values[i] = bytes[i] != 0;
        }

        return values;
    }
}
