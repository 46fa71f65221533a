using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Conv with group=1 is a layer over channels (axis 1): it makes the units as its filters (W's axis 0) or reads them as
/// its input channels (W's axis 1). A depthwise Conv passes them through instead; other grouped Convs mix channels.
/// </summary>
internal sealed class ConvRule() : UnitPropagationRule("Conv")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (x, w, y) = (node.Input[0], node.Input[1], node.Output[0]);
        var W = closure.Index.Constant(w);
        if (W is null)
        {
            closure.Fail($"{Describe(node)} has a weight computed at run time");
            return;
        }

        var groups = IntAttribute(node, "group", 1);
        var (inputView, outputView) = (closure.View(x), closure.View(y));
        if (inputView is { } iv && iv.Axis != 1 || outputView is { } ov && ov.Axis != 1)
        {
            closure.Fail($"{Describe(node)} sees the units off its channel axis");
            return;
        }

        var channels = (inputView ?? outputView)!.Value;
        if (groups == 1)
        {
            if (outputView is not null && inputView is null)
            {
                closure.AddProducer(node, 1, channels with { Axis = 0 });
                closure.AddBias(node, 2, channels with { Axis = 0 });
            }
            else if (inputView is { } input && outputView is null)
            {
                closure.AddConsumer(node, x, input, 1, input, 1);
            }
            else
            {
                closure.Fail($"{Describe(node)} would read and write the same units");
            }

            return;
        }

        if (W.Dims.Count >= 2 && W.Dims[1] == 1 && groups == W.Dims[0])
        {
            PropagateDepthwise(node, closure, channels);
            return;
        }

        closure.Fail($"{Describe(node)} is a grouped Conv (group={groups}) whose groups mix channels");
    }

    /// <summary>
    /// One filter per channel: the units pass through, the filters and the bias follow them, and the group count,
    /// which spells the channel count, is rewritten.
    /// </summary>
    private static void PropagateDepthwise(NodeProto node, UnitGroupClosure closure, UnitAxis channels)
    {
        closure.Require(node.Input[0], channels);
        closure.Require(node.Output[0], channels);
        closure.Group.Slices.Add(new ParameterSlice(node, 1, channels with { Axis = 0 }, SliceRole.DepthwiseWeight));
        closure.AddBias(node, 2, channels with { Axis = 0 });
        closure.Group.GroupCountEdits.Add(node);
    }
}
