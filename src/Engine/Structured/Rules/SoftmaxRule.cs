using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>Softmax and its kin normalise along one axis: the units may lie on any other (attention's heads), never on it.</summary>
internal sealed class SoftmaxRule() : UnitPropagationRule("Softmax", "LogSoftmax", "Hardmax")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var units = closure.View(x) ?? closure.View(y)!.Value;
        var rank = closure.Rank(x);
        var axis = Normalize(IntAttribute(node, "axis", closure.Opset >= 13 ? -1 : 1), rank);
        // Before opset 13 the op flattens every axis from "axis" on into one.
        if (units.Axis == axis || (closure.Opset < 13 && units.Axis > axis))
        {
            closure.Fail($"{Describe(node)} normalises across the units");
            return;
        }

        closure.Require(x, units);
        closure.Require(y, units);
    }
}
