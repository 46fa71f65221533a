using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Evaluation;

/// <summary>Copies an ORT output tensor to managed memory as doubles, from the tensor or from its elements' bytes.</summary>
internal static class OutputCapture
{
    /// <summary>Returns null for element types that cannot be compared numerically or as text.</summary>
    public static CapturedOutput? Capture(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var type = info.ElementDataType;
        var shape = info.Shape;
        if (type == TensorElementType.String)
        {
            return new CapturedOutput(name, type, shape, Array.Empty<double>(), value.GetStringTensorAsArray());
        }

        if (!IsNumeric(type))
        {
            return null;
        }

        var values = new double[info.ElementCount];
        ToDoubles(type, value.GetTensorMutableRawData(), values);
        return new CapturedOutput(name, type, shape, values, null);
    }

    /// <summary>Whether <see cref="ToDoubles"/> converts the type (every number and bool type but complex ones).</summary>
    public static bool IsNumeric(TensorElementType type) => type is TensorElementType.Float or TensorElementType.Double
        or TensorElementType.Float16 or TensorElementType.BFloat16
        or TensorElementType.Int8 or TensorElementType.Int16 or TensorElementType.Int32 or TensorElementType.Int64
        or TensorElementType.UInt8 or TensorElementType.UInt16 or TensorElementType.UInt32 or TensorElementType.UInt64
        or TensorElementType.Bool;

    /// <summary>
    /// Converts elements of <paramref name="type"/>, given as their bytes (whole elements), into
    /// <paramref name="destination"/>. Exact for every type but 64-bit integers beyond 2^53.
    /// </summary>
    public static void ToDoubles(TensorElementType type, ReadOnlySpan<byte> bytes, Span<double> destination)
    {
        switch (type)
        {
            case TensorElementType.Float: Widen(MemoryMarshal.Cast<byte, float>(bytes), destination); break;
            case TensorElementType.Double: MemoryMarshal.Cast<byte, double>(bytes).CopyTo(destination); break;
            case TensorElementType.Float16: Convert(MemoryMarshal.Cast<byte, Float16>(bytes), destination, v => (float)v); break;
            case TensorElementType.BFloat16: Convert(MemoryMarshal.Cast<byte, BFloat16>(bytes), destination, v => (float)v); break;
            case TensorElementType.Int8: Convert(MemoryMarshal.Cast<byte, sbyte>(bytes), destination, v => v); break;
            case TensorElementType.Int16: Convert(MemoryMarshal.Cast<byte, short>(bytes), destination, v => v); break;
            case TensorElementType.Int32: Convert(MemoryMarshal.Cast<byte, int>(bytes), destination, v => v); break;
            case TensorElementType.Int64: Convert(MemoryMarshal.Cast<byte, long>(bytes), destination, v => v); break;
            case TensorElementType.UInt8: Convert(bytes, destination, v => v); break;
            case TensorElementType.UInt16: Convert(MemoryMarshal.Cast<byte, ushort>(bytes), destination, v => v); break;
            case TensorElementType.UInt32: Convert(MemoryMarshal.Cast<byte, uint>(bytes), destination, v => v); break;
            case TensorElementType.UInt64: Convert(MemoryMarshal.Cast<byte, ulong>(bytes), destination, v => v); break;
            case TensorElementType.Bool: Convert(bytes, destination, v => v != 0 ? 1.0 : 0.0); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "Not a numeric element type.");
        }
    }

    /// <summary>float32 is what most models compute: converted without a delegate call per element.</summary>
    private static void Widen(ReadOnlySpan<float> span, Span<double> destination)
    {
        for (var i = 0; i < span.Length; i++)
        {
            destination[i] = span[i];
        }
    }

    private static void Convert<T>(ReadOnlySpan<T> span, Span<double> destination, Func<T, double> convert)
    {
        for (var i = 0; i < span.Length; i++)
        {
            destination[i] = convert(span[i]);
        }
    }
}
