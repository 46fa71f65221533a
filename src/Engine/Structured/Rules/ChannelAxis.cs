using Onnx;
using static ModelPrune.Engine.Structured.NodeInfo;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>Ops that treat each channel of axis 1 on its own (pools, BatchNorm) keep the units only where they are those channels.</summary>
internal static class ChannelAxis
{
    /// <summary>
    /// Requires the units on axis 1 of the node's first input and output and returns them, or fails the group saying
    /// the op <paramref name="works"/> on axis 1 and returns null.
    /// </summary>
    public static UnitAxis? PassThrough(NodeProto node, UnitGroupClosure closure, string works)
    {
        if (!closure.OnlyFirstOutputUsed(node)) return null;
        var channels = (closure.View(node.Input[0]) ?? closure.View(node.Output[0]))!.Value;
        if (channels.Axis != 1 || closure.View(node.Input[0]) is { } iv && iv != channels || closure.View(node.Output[0]) is { } ov && ov != channels)
        {
            closure.Fail($"{Describe(node)} {works} on axis 1, not on the units' axis");
            return null;
        }

        closure.Require(node.Input[0], channels);
        closure.Require(node.Output[0], channels);
        return channels;
    }
}
