using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Finds, for each prunable weight of the main graph, the activation tensor it multiplies and how to view
/// it as one row of d features per token: directly, transposed (a 2-D Gemm operand stored [d, tokens]) or
/// unfolded into patches (a Conv). Everything else is reported as skipped with a reason rather than measured wrongly.
/// </summary>
internal static class LayerInputLocator
{
    // PrunableWeightFinder names unnamed nodes "{OpType}@main/{index}"; matching it finds them again.
    private const string MainGraphPath = "main";

    public static LayerInputLocations Locate(global::Onnx.ModelProto model, IReadOnlyList<PrunableWeight> weights)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        if (model.Graph is null)
        {
            throw new ModelPruneException(DiagnosticCodes.NotAnOnnxModel, string.Empty, "the model contains no graph");
        }

        var graph = model.Graph;
        var scope = new GraphScope(graph, MainGraphPath, null);
        var nodes = new Dictionary<string, global::Onnx.NodeProto>(StringComparer.Ordinal);
        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            var name = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}@{MainGraphPath}/{index}" : node.Name;
            nodes.TryAdd(name, node);
        }

        var supported = new List<LayerInput>();
        var skipped = new List<SkippedLayer>();
        foreach (var weight in weights)
        {
            var (input, reason) = Locate(weight, nodes, scope);
            if (input is not null)
            {
                supported.Add(input);
            }
            else
            {
                skipped.Add(new SkippedLayer(weight.Name, reason ?? "not supported"));
            }
        }

        return new LayerInputLocations(supported, skipped);
    }

    private static (LayerInput? Input, string? Reason) Locate(PrunableWeight weight, Dictionary<string, global::Onnx.NodeProto> nodes, GraphScope scope)
    {
        if (weight.Location is not ("initializer" or "constant"))
        {
            return (null, $"stored in a subgraph ({weight.Location}); only main-graph layers are measured");
        }

        switch (weight.OpType)
        {
            case "ConvTranspose":
                return (null, "ConvTranspose scatters each input into overlapping outputs, so its input has no patch view");
            case "LSTM" or "GRU" or "RNN":
                return (null, $"{weight.OpType} weights act inside the recurrence, where the graph exposes no per-step input");
            case not ("MatMul" or "Gemm" or "Conv"):
                return (null, $"{weight.OpType} is not a MatMul, Gemm or Conv");
        }

        var nodeName = weight.NodeNames.Count > 0 ? weight.NodeNames[0] : string.Empty;
        if (!nodes.TryGetValue(nodeName, out var node) || !GraphScope.IsDefaultDomainOp(node, weight.OpType))
        {
            return (null, $"its consumer '{nodeName}' is inside a subgraph; only main-graph layers are measured");
        }

        var (activationIndex, transpose, reason) = ActivationOperand(weight, node, scope);
        if (reason is not null)
        {
            return (null, reason);
        }

        var activation = node.Input[activationIndex];
        if (activation.Length == 0 || scope.Resolve(activation) is not null)
        {
            return (null, $"its activation input '{activation}' is a constant, so calibration data never reaches it");
        }

        ConvUnfold? unfold = null;
        long features;
        if (weight.OpType == "Conv")
        {
            (unfold, reason) = Unfold(weight, node);
            if (unfold is null)
            {
                return (null, reason);
            }

            features = (long)unfold.InputChannelsPerGroup * unfold.KernelShape.Aggregate(1L, (a, b) => a * b);
        }
        else
        {
            features = weight.Tensor.Dims[weight.InputAxis];
        }

        if (features <= 0 || features > int.MaxValue)
        {
            return (null, $"the weight's input dimension {features} is not a usable width");
        }

        var note = weight.NodeNames.Count > 1
            ? $"shared by {weight.NodeNames.Count} nodes; statistics are those of the first consumer '{nodeName}'"
            : null;
        return (new LayerInput(weight.Name, weight.OpType, nodeName, activation, (int)features, weight.Tensor.DataType, note, transpose, unfold), null);
    }

    /// <summary>Which input of the consumer the weight multiplies, and whether that input keeps its features on axis 0.</summary>
    private static (int Index, bool Transpose, string? Reason) ActivationOperand(PrunableWeight weight, global::Onnx.NodeProto node, GraphScope scope)
    {
        if (weight.Tensor.Dims.Count != 2 && weight.OpType != "Conv")
        {
            return (0, false, $"the weight has rank {weight.Tensor.Dims.Count}; only 2-D weights share one input statistic across all tokens");
        }

        switch (weight.OpType)
        {
            case "Conv":
                return IsWeightOperand(node, 1, weight.Name, scope) ? (0, false, null) : (0, false, "the Conv's weight input is computed, not stored");
            case "Gemm" when IsWeightOperand(node, 1, weight.Name, scope):
                // Y = A'·W': the features of A [M, K] are its axis 1, or axis 0 when transA=1.
                return (0, IntAttribute(node, "transA") != 0, null);
            case "Gemm" when IsWeightOperand(node, 0, weight.Name, scope):
                // Y = W'·B': W contracts with B [K, N] along axis 0, or with B [N, K] along axis 1 when transB=1.
                return (1, IntAttribute(node, "transB") == 0, null);
            case "MatMul" when IsWeightOperand(node, 1, weight.Name, scope):
                return (0, false, null);
            default:
                return (0, false, $"the weight is the first operand of {weight.OpType} (Y = W·X), whose activation's rank the graph does not fix; only X·W is measured");
        }
    }

    private static (ConvUnfold? Unfold, string? Reason) Unfold(PrunableWeight weight, global::Onnx.NodeProto node)
    {
        var dims = weight.Tensor.Dims;
        if (dims.Count < 3)
        {
            return (null, $"the Conv weight has rank {dims.Count}; a Conv weight is [Cout, Cin/group, k...]");
        }

        var groups = IntAttribute(node, "group", 1);
        if (groups < 1 || groups > int.MaxValue || dims[0] % groups != 0 || dims[1] > int.MaxValue)
        {
            return (null, $"the Conv's group {groups} does not divide its {dims[0]} output channels");
        }

        var copied = node.Attribute
            .Where(a => a.Name is "strides" or "pads" or "dilations" or "auto_pad")
            .Select(a => a.Clone())
            .ToArray();
        return (new ConvUnfold((int)groups, (int)dims[1], dims.Skip(2).ToArray(), copied), null);
    }

    private static long IntAttribute(global::Onnx.NodeProto node, string name, long fallback = 0) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

    private static bool IsWeightOperand(global::Onnx.NodeProto node, int inputIndex, string weightName, GraphScope scope) =>
        node.Input.Count > inputIndex && scope.Resolve(node.Input[inputIndex])?.Name == weightName;
}
