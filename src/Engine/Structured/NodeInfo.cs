using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>What the analysis reads off a node: its attributes, axes counted from the end, and how a failure names it.</summary>
internal static class NodeInfo
{
    public static long IntAttribute(NodeProto node, string name, long defaultValue) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? defaultValue;

    /// <summary>An axis attribute as an index from the front: ONNX lets a negative axis count from the end.</summary>
    public static int Normalize(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    public static string Describe(NodeProto node) => string.IsNullOrEmpty(node.Name) ? $"a {node.OpType} node" : $"node '{node.Name}'";
}
