using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Expand repeats along axes of size 1 (repeat_kv of grouped-query attention); the units' axis must not be one of
/// them, and the shape's entry for it must be 1 (keep) or the units' size, which is rewritten.
/// </summary>
internal sealed class ExpandRule() : UnitPropagationRule("Expand")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var (shapeX, shapeY) = (closure.Shape(x), closure.Shape(y));
        var offset = shapeY.Length - shapeX.Length;
        var known = (closure.View(y) ?? closure.View(x))!.Value;
        var axis = closure.View(y)?.Axis ?? known.Axis + offset;
        if (axis - offset < 0 || shapeX[axis - offset] != shapeY[axis])
        {
            closure.Fail($"{Describe(node)} (Expand) repeats the units' axis");
            return;
        }

        closure.Require(x, known with { Axis = axis - offset });
        closure.Require(y, known with { Axis = axis });
        if (closure.Group.Failed) return;
        var entries = ShapeOperand.Entries(node, closure);
        var entry = entries is not null && entries.Count == shapeY.Length ? entries[axis] : default;
        if (entry.Value == 1) return;
        if (entry.Value == shapeY[axis] && entry.Node is not null && !known.IsSegment)
        {
            closure.Group.ShapeEdits.Add(new ShapeEdit(entry.Node, entry.InputIndex, entry.Element, entry.Value.Value));
            return;
        }

        closure.Fail($"{Describe(node)} (Expand) computes its shape's entry for the units' axis at run time");
    }
}
