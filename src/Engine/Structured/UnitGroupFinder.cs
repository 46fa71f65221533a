using ModelPrune.Engine.Statistics;
using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// Every group of removable units in the main graph: each layer whose weight produces channels (a MatMul/Gemm
/// with a constant weight, a Conv with group=1) seeds a group, grown by <see cref="UnitGroupClosure"/> until it is
/// complete or proven unsafe. A layer already taken into an earlier group (the K and V projections of the Q
/// projection's attention block) seeds nothing more.
/// </summary>
internal static class UnitGroupFinder
{
    public static IReadOnlyList<UnitGroup> Find(ModelProto model, IReadOnlyDictionary<string, long[]> shapes)
    {
        var index = new GraphIndex(model.Graph);
        var opset = StatisticsGraphBuilder.DefaultOpset(model);
        var groups = new List<UnitGroup>();
        var taken = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var node in model.Graph.Node)
        {
            if (taken.Contains(node) || SeedAxis(node, index, shapes) is not { } axis) continue;
            var group = new UnitGroup(groups.Count);
            new UnitGroupClosure(group, index, shapes, opset).Grow(node.Output[0], axis);
            // A group that failed before it was complete still reports the seed's channels.
            if (group.Units == 0) group.Units = shapes[node.Output[0]][axis];
            groups.Add(group);
            taken.Add(node);
            taken.UnionWith(group.Producers);
        }

        return groups;
    }

    /// <summary>The axis of the seed's output that holds its channels, or null when the node produces no units.</summary>
    private static int? SeedAxis(NodeProto node, GraphIndex index, IReadOnlyDictionary<string, long[]> shapes)
    {
        if (node.Output.Count == 0 || !shapes.TryGetValue(node.Output[0], out var shape) || shape.Length < 2) return null;
        if (node.Domain.Length > 0 && node.Domain != "ai.onnx") return null;
        switch (node.OpType)
        {
            case "MatMul" when node.Input.Count == 2 && !index.IsConstant(node.Input[0]) && index.Constant(node.Input[1]) is { Dims.Count: 2 }:
                return shape.Length - 1;
            case "Gemm" when node.Input.Count >= 2 && !index.IsConstant(node.Input[0]) && index.IsConstant(node.Input[1])
                             && NodeInfo.IntAttribute(node, "transA", 0) == 0:
                return 1;
            case "Conv" or "ConvTranspose" when node.Input.Count >= 2 && index.IsConstant(node.Input[1]) && NodeInfo.IntAttribute(node, "group", 1) == 1:
                return 1;
            default:
                return null;
        }
    }
}
