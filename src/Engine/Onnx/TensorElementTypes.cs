using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>Facts about ONNX element types (TensorProto.DataType) the engine needs.</summary>
internal static class TensorElementTypes
{
    public const int Float = (int)TensorProto.Types.DataType.Float;
    public const int Float16 = (int)TensorProto.Types.DataType.Float16;
    public const int Double = (int)TensorProto.Types.DataType.Double;
    public const int BFloat16 = (int)TensorProto.Types.DataType.Bfloat16;

    public static bool IsFloatingPoint(int dataType) => dataType is Float or Float16 or Double or BFloat16;

    public static int SizeOf(int dataType) => dataType switch
    {
        Float => 4,
        Double => 8,
        Float16 or BFloat16 => 2,
        _ => 0,
    };

    public static string Name(int dataType) => dataType switch
    {
        Float => "float32",
        Float16 => "float16",
        Double => "float64",
        BFloat16 => "bfloat16",
        _ when Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType) =>
            ((TensorProto.Types.DataType)dataType).ToString().ToLowerInvariant(),
        _ => $"type{dataType}",
    };
}
