using System.Collections.ObjectModel;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// All samples for one model input, shape [samples, ...rest], stored as the little-endian bytes of the
/// model's element type. Bytes rather than a typed array keep one representation for every element type,
/// and slicing samples is a plain block copy.
/// </summary>
internal sealed class CalibrationArray
{
    private readonly byte[] _data;

    internal CalibrationArray(string name, int elementType, long[] shape, byte[] data)
    {
        Name = name;
        ElementType = elementType;
        ElementTypeName = CalibrationElementTypes.Name(elementType);
        Shape = new ReadOnlyCollection<long>(shape);
        _data = data;
        SampleBytes = checked((int)(shape.Skip(1).Aggregate(1L, (product, d) => product * d) * CalibrationElementTypes.SizeOf(elementType)));
    }

    public string Name { get; }

    /// <summary>The ONNX TensorProto.DataType value, the same as the model input's.</summary>
    public int ElementType { get; }

    public string ElementTypeName { get; }

    public IReadOnlyList<long> Shape { get; }

    public int SampleCount => (int)Shape[0];

    public ReadOnlyMemory<byte> Bytes => _data;

    internal int SampleBytes { get; }

    /// <summary>Every sample as float[], long[], int[], bool[], double[], Float16[], sbyte[] or byte[] by element type.</summary>
    public Array ToArray() => CalibrationElementTypes.ToTypedArray(ElementType, _data);

    internal Array ToArray(int first, int count) =>
        CalibrationElementTypes.ToTypedArray(ElementType, _data.AsSpan(first * SampleBytes, count * SampleBytes));

    internal long[] ShapeWithSamples(int count)
    {
        var shape = Shape.ToArray();
        shape[0] = count;
        return shape;
    }

    internal CalibrationArray Slice(int first, int count)
    {
        if (first == 0 && count == SampleCount) return this;
        return new CalibrationArray(Name, ElementType, ShapeWithSamples(count), _data.AsSpan(first * SampleBytes, count * SampleBytes).ToArray());
    }
}
