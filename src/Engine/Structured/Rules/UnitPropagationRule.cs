using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// What one family of ops does to a group's units, in the manner of Torch-Pruning's index mappings: given a node one
/// of whose tensors already carries the units, say where they lie in every other input and output
/// (<see cref="UnitGroupClosure.Require"/>), record the constants and shapes that must follow them, or fail the group
/// with a reason. Rules hold no state: one instance serves every group.
/// </summary>
/// <param name="opTypes">The default-domain op types the rule answers for; no op type may belong to two rules.</param>
internal abstract class UnitPropagationRule(params string[] opTypes)
{
    public IReadOnlyList<string> OpTypes { get; } = opTypes;

    public abstract void Propagate(NodeProto node, UnitGroupClosure closure);

    // Every rule's failure reasons name the node and read its attributes the same way as the closure's own.
    protected static string Describe(NodeProto node) => NodeInfo.Describe(node);

    protected static long IntAttribute(NodeProto node, string name, long defaultValue) => NodeInfo.IntAttribute(node, name, defaultValue);

    protected static int Normalize(long axis, int rank) => NodeInfo.Normalize(axis, rank);
}
