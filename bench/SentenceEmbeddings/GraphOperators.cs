using Onnx;

namespace SentenceEmbeddings;

/// <summary>
/// How many nodes of each operator a model's main graph has, e.g. in the graph ONNX Runtime wrote after its
/// optimisations: whether a pruned model got the same fusions (Attention, SkipLayerNormalization, …) as the dense one.
/// </summary>
internal static class GraphOperators
{
    public static IReadOnlyDictionary<string, int> Count(string modelPath)
    {
        using var file = File.OpenRead(modelPath);
        var graph = ModelProto.Parser.ParseFrom(file).Graph;
        return graph.Node
            .GroupBy(node => string.IsNullOrEmpty(node.Domain) || node.Domain == "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}")
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
    }

    /// <summary>
    /// The operators whose counts differ, "MatMul 42 → 36, Reshape 24 → 30", or "same operators (163 nodes)":
    /// a pruned model whose graph ORT fused as it fused the dense one's differs in shapes only.
    /// </summary>
    public static string Difference(IReadOnlyDictionary<string, int> before, IReadOnlyDictionary<string, int> after)
    {
        var changed = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(op => before.GetValueOrDefault(op) != after.GetValueOrDefault(op))
            .Select(op => $"{op} {before.GetValueOrDefault(op)} → {after.GetValueOrDefault(op)}")
            .ToArray();
        return changed.Length == 0 ? $"same operators ({before.Values.Sum()} nodes)" : string.Join(", ", changed);
    }
}
