using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// A constant operand that loses the removed units along <see cref="Units"/>. It is named by the node input that
/// reads it, not by the tensor: the tensor is resolved when the surgery runs, after bias compensation may have
/// given the node a copy of its own.
/// </summary>
internal sealed record ParameterSlice(NodeProto Node, int InputIndex, UnitAxis Units, SliceRole Role)
{
    public string ValueName => Node.Input[InputIndex];
}
