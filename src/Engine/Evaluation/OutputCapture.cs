using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Evaluation;

/// <summary>Copies an ORT output tensor to managed memory as doubles.</summary>
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

        double[]? values = type switch
        {
            TensorElementType.Float => Convert(value.GetTensorDataAsSpan<float>(), v => v),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Float16 => Convert(value.GetTensorDataAsSpan<Float16>(), v => (float)v),
            TensorElementType.BFloat16 => Convert(value.GetTensorDataAsSpan<BFloat16>(), v => (float)v),
            TensorElementType.Int8 => Convert(value.GetTensorDataAsSpan<sbyte>(), v => v),
            TensorElementType.Int16 => Convert(value.GetTensorDataAsSpan<short>(), v => v),
            TensorElementType.Int32 => Convert(value.GetTensorDataAsSpan<int>(), v => v),
            TensorElementType.Int64 => Convert(value.GetTensorDataAsSpan<long>(), v => v),
            TensorElementType.UInt8 => Convert(value.GetTensorDataAsSpan<byte>(), v => v),
            TensorElementType.UInt16 => Convert(value.GetTensorDataAsSpan<ushort>(), v => v),
            TensorElementType.UInt32 => Convert(value.GetTensorDataAsSpan<uint>(), v => v),
            TensorElementType.UInt64 => Convert(value.GetTensorDataAsSpan<ulong>(), v => v),
            TensorElementType.Bool => Convert(value.GetTensorDataAsSpan<bool>(), v => v ? 1.0 : 0.0),
            _ => null,
        };

        return values is null ? null : new CapturedOutput(name, type, shape, values, null);
    }

    private static double[] Convert<T>(ReadOnlySpan<T> span, Func<T, double> convert)
    {
        var result = new double[span.Length];
        for (var i = 0; i < span.Length; i++)
        {
            result[i] = convert(span[i]);
        }

        return result;
    }
}
