using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>LayerNormalization normalises over the axes from "axis" on: fine for units before them, never across them.</summary>
internal sealed class LayerNormalizationRule() : UnitPropagationRule("LayerNormalization")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        if (!closure.OnlyFirstOutputUsed(node)) return;
        var (x, y) = (node.Input[0], node.Output[0]);
        var units = (closure.View(x) ?? closure.View(y))!.Value;
        if (units.Axis >= Normalize(IntAttribute(node, "axis", -1), closure.Rank(x)))
        {
            closure.Fail($"{Describe(node)} (LayerNormalization) normalises across the units");
            return;
        }

        closure.Require(x, units);
        closure.Require(y, units);
    }
}
