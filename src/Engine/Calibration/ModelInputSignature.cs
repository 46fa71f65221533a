using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// The inputs a caller has to feed the model, in graph order: graph inputs minus those that are also
/// initializers (older exporters list every weight as an input; ONNX Runtime supplies those itself).
/// </summary>
internal sealed class ModelInputSignature
{
    public ModelInputSignature(IReadOnlyList<ModelInput> inputs)
    {
        Inputs = inputs;
    }

    public IReadOnlyList<ModelInput> Inputs { get; }

    public IReadOnlyList<string> Names => Inputs.Select(i => i.Name).ToArray();

    public static ModelInputSignature FromModel(global::Onnx.ModelProto model)
    {
        var graph = model.Graph;
        if (graph is null) return new ModelInputSignature(Array.Empty<ModelInput>());

        var initializers = new HashSet<string>(graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        var inputs = new List<ModelInput>();
        foreach (var value in graph.Input)
        {
            if (initializers.Contains(value.Name)) continue;
            inputs.Add(Describe(value));
        }

        return new ModelInputSignature(inputs);
    }

    public ModelInput? Find(string name) => Inputs.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal));

    /// <summary>"input_ids: int64[batch,seq], attention_mask: int64[batch,seq]": listed in every name-mismatch error.</summary>
    public override string ToString() => Inputs.Count == 0 ? "(none)" : string.Join(", ", Inputs);

    private static ModelInput Describe(global::Onnx.ValueInfoProto value)
    {
        var type = value.Type;
        if (type?.TensorType is not { } tensor)
        {
            var kind = type?.ValueCase.ToString().Replace("Type", string.Empty, StringComparison.Ordinal).ToLowerInvariant() ?? "untyped";
            return new ModelInput(value.Name, 0, kind, null, isTensor: false);
        }

        IReadOnlyList<InputDimension>? dims = null;
        if (tensor.Shape is { } shape)
        {
            dims = shape.Dim
                .Select(d => d.ValueCase == global::Onnx.TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
                    ? new InputDimension(d.DimValue, null)
                    : new InputDimension(null, string.IsNullOrEmpty(d.DimParam) ? null : d.DimParam))
                .ToArray();
        }

        return new ModelInput(value.Name, tensor.ElemType, TensorElementTypes.Name(tensor.ElemType), dims);
    }
}
