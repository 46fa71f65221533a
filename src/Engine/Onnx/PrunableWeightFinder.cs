using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Finds the weight operands of MatMul, Gemm, Conv, ConvTranspose and the recurrent ops, wherever
/// they are stored, and states which axis of each is the input dimension. Biases, normalisation
/// parameters and embedding tables are never returned: pruning them does not sparsify a product.
/// </summary>
internal static class PrunableWeightFinder
{
    private const string MainGraphPath = "main";

    public static IReadOnlyList<PrunableWeight> Find(OnnxModel model) => Find(model.Proto);

    public static IReadOnlyList<PrunableWeight> Find(ModelProto model)
    {
        if (model.Graph is null)
        {
            throw new ModelPruneException(DiagnosticCodes.NotAnOnnxModel, string.Empty, "the model contains no graph");
        }

        var found = new Dictionary<TensorProto, WeightCandidate>(ReferenceEqualityComparer.Instance);
        var order = new List<WeightCandidate>();
        VisitGraph(model.Graph, new GraphScope(model.Graph, MainGraphPath, null), found, order);
        return order
            .Select(w => new PrunableWeight(w.Storage.Name, w.OpType, w.NodeNames, w.Storage.Location, new WeightTensor(w.Storage.Name, w.Storage.Tensor), w.InputAxis))
            .ToArray();
    }

    private static void VisitGraph(GraphProto graph, GraphScope scope, Dictionary<TensorProto, WeightCandidate> found, List<WeightCandidate> order)
    {
        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            var nodeName = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}@{scope.Path}/{index}" : node.Name;
            if (OnnxTensorWalker.IsDefaultDomain(node.Domain))
            {
                foreach (var (inputIndex, axisFromRank) in WeightOperands(node, scope))
                {
                    Record(node, nodeName, scope.Resolve(node.Input[inputIndex]), axisFromRank, found, order);
                }
            }

            foreach (var attribute in node.Attribute)
            {
                var subgraphPath = $"{scope.Path}/{nodeName}.{attribute.Name}";
                if (attribute.G is not null)
                {
                    VisitGraph(attribute.G, new GraphScope(attribute.G, subgraphPath, scope), found, order);
                }

                for (var g = 0; g < attribute.Graphs.Count; g++)
                {
                    var path = $"{subgraphPath}[{g}]";
                    VisitGraph(attribute.Graphs[g], new GraphScope(attribute.Graphs[g], path, scope), found, order);
                }
            }
        }
    }

    /// <summary>
    /// The inputs of <paramref name="node"/> that are weights, each with a function from the tensor's
    /// rank to its input axis.
    /// </summary>
    private static IEnumerable<(int InputIndex, Func<int, int> AxisFromRank)> WeightOperands(NodeProto node, GraphScope scope)
    {
        switch (node.OpType)
        {
            case "MatMul":
                // Y = X·B contracts B's second-to-last axis; Y = A·X contracts A's last one.
                if (IsConstant(node, 1, scope))
                {
                    yield return (1, rank => rank - 2);
                }
                else if (IsConstant(node, 0, scope))
                {
                    yield return (0, rank => rank - 1);
                }

                break;
            case "Gemm":
                if (IsConstant(node, 1, scope))
                {
                    var transB = IntAttribute(node, "transB");
                    yield return (1, _ => transB == 0 ? 0 : 1);
                }
                else if (IsConstant(node, 0, scope))
                {
                    var transA = IntAttribute(node, "transA");
                    yield return (0, _ => transA == 0 ? 1 : 0);
                }

                break;
            case "Conv":
                // W [Cout, Cin/group, k...]
                yield return (1, _ => 1);
                break;
            case "ConvTranspose":
                // W [Cin, Cout/group, k...]
                yield return (1, _ => 0);
                break;
            case "LSTM" or "GRU" or "RNN":
                // W [dirs, gates·hidden, input_size] and R [dirs, gates·hidden, hidden]
                yield return (1, _ => 2);
                yield return (2, _ => 2);
                break;
        }
    }

    private static bool IsConstant(NodeProto node, int inputIndex, GraphScope scope) =>
        node.Input.Count > inputIndex && scope.Resolve(node.Input[inputIndex]) is not null;

    private static void Record(
        NodeProto node,
        string nodeName,
        ConstantStorage? storage,
        Func<int, int> axisFromRank,
        Dictionary<TensorProto, WeightCandidate> found,
        List<WeightCandidate> order)
    {
        if (storage is null)
        {
            return;
        }

        if (found.TryGetValue(storage.Tensor, out var existing))
        {
            if (!existing.NodeNames.Contains(nodeName))
            {
                existing.NodeNames.Add(nodeName);
            }

            return;
        }

        var rank = storage.Tensor.Dims.Count;
        var axis = axisFromRank(rank);
        if (rank < 2 || axis < 0 || axis >= rank)
        {
            return;
        }

        var weight = new WeightCandidate(storage, node.OpType, new List<string> { nodeName }, axis);
        found.Add(storage.Tensor, weight);
        order.Add(weight);
    }

    private static long IntAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;
}
