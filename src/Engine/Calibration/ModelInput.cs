namespace ModelPrune.Engine.Calibration;

/// <summary>
/// One input the model must be fed. <see cref="Dimensions"/> is null when the model does not declare a shape,
/// which ONNX allows; then only the element type can be checked.
/// </summary>
internal sealed class ModelInput
{
    public ModelInput(string name, int elementType, string elementTypeName, IReadOnlyList<InputDimension>? dimensions, bool isTensor = true)
    {
        Name = name;
        ElementType = elementType;
        ElementTypeName = elementTypeName;
        Dimensions = dimensions;
        IsTensor = isTensor;
    }

    public string Name { get; }

    /// <summary>The ONNX TensorProto.DataType value (1 = float, 7 = int64, ...); 0 for inputs that are not tensors.</summary>
    public int ElementType { get; }

    /// <summary>numpy-style name ("float32", "int64"), or the kind ("sequence", "map") of an input that is not a tensor.</summary>
    public string ElementTypeName { get; }

    public IReadOnlyList<InputDimension>? Dimensions { get; }

    public bool IsTensor { get; }

    /// <summary>"float32[batch,16]": how messages show what the model expects.</summary>
    public string TypeText => Dimensions is null
        ? $"{ElementTypeName} (shape not declared)"
        : $"{ElementTypeName}[{string.Join(",", Dimensions)}]";

    public override string ToString() => $"{Name}: {TypeText}";
}
