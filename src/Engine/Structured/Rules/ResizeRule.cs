using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Resize and Upsample scale spatial axes; the units' axis must keep scale 1, and a target given as sizes (which
/// spells the channel count) is not followed.
/// </summary>
internal sealed class ResizeRule() : UnitPropagationRule("Resize", "Upsample")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var units = (closure.View(x) ?? closure.View(y))!.Value;
        var scalesInput = node.OpType == "Upsample" ? 1 : 2;
        var scales = node.Input.Count > scalesInput && node.Input[scalesInput].Length > 0 ? closure.Index.Constant(node.Input[scalesInput]) : null;
        var sizes = node.OpType == "Resize" && node.Input.Count > 3 && node.Input[3].Length > 0;
        var values = scales is null ? null : new WeightTensor(scales.Name, scales).ReadValues();
        if (sizes || values is null || units.Axis >= values.Length || values[units.Axis] != 1f || closure.Shape(x)[units.Axis] != closure.Shape(y)[units.Axis])
        {
            closure.Fail($"{Describe(node)} ({node.OpType}) does not keep the units' axis as it is (a constant scale of 1 there is needed)");
            return;
        }

        closure.Require(x, units);
        closure.Require(y, units);
    }
}
