using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// BatchNormalization and InstanceNormalization normalise each channel of axis 1 on its own: the units pass through,
/// and every parameter (scale, bias, running mean and variance) loses their entries.
/// </summary>
internal sealed class PerChannelNormalizationRule() : UnitPropagationRule("BatchNormalization", "InstanceNormalization")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        if (ChannelAxis.PassThrough(node, closure, "normalises per channel") is not { } channels) return;
        for (var i = 1; i < node.Input.Count; i++)
        {
            if (!closure.Index.IsConstant(node.Input[i]))
            {
                closure.Fail($"{Describe(node)} has a parameter computed at run time");
                return;
            }

            closure.Group.Slices.Add(new ParameterSlice(node, i, channels with { Axis = 0 }, SliceRole.PerChannelConstant));
        }
    }
}
