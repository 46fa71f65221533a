using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>Pooling reduces the spatial axes of each channel on its own: the units pass through on axis 1.</summary>
internal sealed class PoolRule() : UnitPropagationRule(
    "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "MaxPool", "AveragePool", "LpPool")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure) => ChannelAxis.PassThrough(node, closure, "pools each channel on its own");
}
