using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// ConvTranspose stores W as [Cin, Cout/group, k...], the other way round from Conv: its filters are W's axis 1 and
/// its input channels W's axis 0. Only group=1 is followed.
/// </summary>
internal sealed class ConvTransposeRule() : UnitPropagationRule("ConvTranspose")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        if (closure.Index.Constant(node.Input[1]) is null || IntAttribute(node, "group", 1) != 1)
        {
            closure.Fail($"{Describe(node)} is a ConvTranspose with a weight computed at run time or group > 1");
            return;
        }

        var (x, y) = (node.Input[0], node.Output[0]);
        var (inputView, outputView) = (closure.View(x), closure.View(y));
        if (inputView is { } iv && iv.Axis != 1 || outputView is { } ov && ov.Axis != 1)
        {
            closure.Fail($"{Describe(node)} sees the units off its channel axis");
            return;
        }

        if (outputView is { } output && inputView is null)
        {
            closure.AddProducer(node, 1, output with { Axis = 1 });
            closure.AddBias(node, 2, output with { Axis = 0 });
        }
        else if (inputView is { } input && outputView is null)
        {
            closure.AddConsumer(node, x, input, 1, input with { Axis = 0 }, 0);
        }
        else
        {
            closure.Fail($"{Describe(node)} would read and write the same units");
        }
    }
}
