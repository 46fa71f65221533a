using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Finds, for each prunable weight of the main graph, the activation tensor it multiplies, in a layout
/// where a Reshape to [-1, d] gives one row per token. Everything else is reported as skipped with a
/// reason rather than measured wrongly.
/// </summary>
public static class LayerInputLocator
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
            case "Conv" or "ConvTranspose":
                return (null, $"{weight.OpType} inputs need unfolding into patches, which is not implemented yet");
            case "LSTM" or "GRU" or "RNN":
                return (null, $"{weight.OpType} weights act inside the recurrence, where the graph exposes no per-step input");
            case not ("MatMul" or "Gemm"):
                return (null, $"{weight.OpType} is not a MatMul or Gemm");
        }

        var nodeName = weight.NodeNames.Count > 0 ? weight.NodeNames[0] : string.Empty;
        if (!nodes.TryGetValue(nodeName, out var node) || !GraphScope.IsDefaultDomainOp(node, weight.OpType))
        {
            return (null, $"its consumer '{nodeName}' is inside a subgraph; only main-graph layers are measured");
        }

        if (!IsWeightOperand(node, 1, weight.Name, scope))
        {
            return (null, $"the weight is the first operand of {weight.OpType} (Y = W·X); only X·W is measured so far");
        }

        if (weight.OpType == "Gemm" && (node.Attribute.FirstOrDefault(a => a.Name == "transA")?.I ?? 0) != 0)
        {
            return (null, "Gemm with transA=1 keeps the features on axis 0; not supported yet");
        }

        if (weight.Tensor.Dims.Count != 2)
        {
            return (null, $"the weight has rank {weight.Tensor.Dims.Count}; only 2-D weights share one input statistic across all tokens");
        }

        var activation = node.Input[0];
        if (activation.Length == 0 || scope.Resolve(activation) is not null)
        {
            return (null, $"its activation input '{activation}' is a constant, so calibration data never reaches it");
        }

        var features = weight.Tensor.Dims[weight.InputAxis];
        if (features <= 0 || features > int.MaxValue)
        {
            return (null, $"the weight's input dimension {features} is not a usable width");
        }

        var note = weight.NodeNames.Count > 1
            ? $"shared by {weight.NodeNames.Count} nodes; statistics are those of the first consumer '{nodeName}'"
            : null;
        return (new LayerInput(weight.Name, weight.OpType, nodeName, activation, (int)features, weight.Tensor.DataType, note), null);
    }

    private static bool IsWeightOperand(global::Onnx.NodeProto node, int inputIndex, string weightName, GraphScope scope) =>
        node.Input.Count > inputIndex && scope.Resolve(node.Input[inputIndex])?.Name == weightName;
}
