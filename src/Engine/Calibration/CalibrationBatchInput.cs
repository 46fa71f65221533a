using System.Collections.ObjectModel;
using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// One input's tensor for one batch: <see cref="Data"/> is a fresh typed array (float[], long[], int[], bool[],
/// double[], Float16[], sbyte[] or byte[]) that the caller owns, so ONNX Runtime can pin it without a copy.
/// </summary>
internal sealed class CalibrationBatchInput
{
    private readonly long[] _shape;

    internal CalibrationBatchInput(string name, int elementType, long[] shape, Array data)
    {
        Name = name;
        ElementType = elementType;
        ElementTypeName = CalibrationElementTypes.Name(elementType);
        _shape = shape;
        Shape = new ReadOnlyCollection<long>(shape);
        Data = data;
    }

    public string Name { get; }

    /// <summary>The ONNX TensorProto.DataType value; it equals ONNX Runtime's TensorElementType.</summary>
    public int ElementType { get; }

    public string ElementTypeName { get; }

    /// <summary>[batch, ...rest], the batch size first.</summary>
    public IReadOnlyList<long> Shape { get; }

    public Array Data { get; }

    /// <summary>
    /// A tensor over <see cref="Data"/> without copying (OrtValue.CreateTensorValueFromMemory pins it); the caller
    /// disposes it, and <see cref="Data"/> must not change while it is in use.
    /// </summary>
    public OrtValue ToOrtValue() => CalibrationElementTypes.ToOrtValue(Data, (long[])_shape.Clone());
}
