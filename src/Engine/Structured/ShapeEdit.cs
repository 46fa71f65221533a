using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// One entry of a constant int64 tensor that spells the units' size for a Reshape: the head count of
/// [0, 0, heads, head width], or the width of [0, 0, hidden]. It scales with the units kept.
/// </summary>
/// <param name="Node">The node whose input <paramref name="InputIndex"/> reads the constant (the Reshape, or the Concat that builds its shape).</param>
/// <param name="Element">The entry within that constant.</param>
/// <param name="Value">The entry's value in the dense model.</param>
internal sealed record ShapeEdit(NodeProto Node, int InputIndex, int Element, long Value);
