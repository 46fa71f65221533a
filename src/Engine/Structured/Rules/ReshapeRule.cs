using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Reshape and its fixed forms (Flatten, Squeeze, Unsqueeze) keep the units as long as their axis maps to one axis
/// of the other side (<see cref="ReshapeMapping"/>); splitting it into [heads, head width] or merging heads back
/// makes the group one of heads. A Reshape's shape operand spells the units' size and follows the kept count.
/// </summary>
internal sealed class ReshapeRule() : UnitPropagationRule("Reshape", "Flatten", "Squeeze", "Unsqueeze")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var (shapeX, shapeY) = (closure.Shape(x), closure.Shape(y));
        UnitAxis inputUnits, outputUnits;
        bool regrouped;
        if (closure.View(x) is { } input)
        {
            if (ReshapeMapping.Map(shapeX, input.Axis, shapeY) is not { } mapped)
            {
                closure.Fail($"{Describe(node)} ({node.OpType}) mixes the units' axis with other axes");
                return;
            }

            (inputUnits, outputUnits, regrouped) = (input, input with { Axis = mapped.Axis }, mapped.Regrouped);
        }
        else
        {
            var output = closure.View(y)!.Value;
            if (ReshapeMapping.Map(shapeY, output.Axis, shapeX) is not { } mapped)
            {
                closure.Fail($"{Describe(node)} ({node.OpType}) mixes the units' axis with other axes");
                return;
            }

            (inputUnits, outputUnits, regrouped) = (output with { Axis = mapped.Axis }, output, mapped.Regrouped);
        }

        if (regrouped && inputUnits.IsSegment)
        {
            closure.Fail($"{Describe(node)} splits the part of a Concat that holds the units");
            return;
        }

        closure.Group.HasHeads |= regrouped;
        closure.Require(x, inputUnits);
        closure.Require(y, outputUnits);
        if (node.OpType == "Reshape" && !closure.Group.Failed) RecordShapeEdit(node, closure, inputUnits, outputUnits, shapeX, shapeY);
    }

    /// <summary>The shape input's entry at the units' axis must follow the units: a literal size is rewritten, 0 and -1 adapt.</summary>
    private static void RecordShapeEdit(NodeProto node, UnitGroupClosure closure, UnitAxis inputUnits, UnitAxis outputUnits, long[] shapeX, long[] shapeY)
    {
        var entries = ShapeOperand.Entries(node, closure);
        if (entries is null || entries.Count != shapeY.Length)
        {
            closure.Fail($"{Describe(node)} takes a shape that is neither a constant nor a Concat of pieces");
            return;
        }

        var b = outputUnits.Axis;
        var entry = entries[b];
        var allowZero = IntAttribute(node, "allowzero", 0) == 1;
        if (entry.Value == -1 || (entry.Value == 0 && !allowZero && inputUnits.Axis == b && shapeX[b] == shapeY[b]))
        {
            // Inferred, or copied from the (pruned) input: nothing to rewrite.
        }
        else if (entry.Value == shapeY[b] && entry.Node is not null && !outputUnits.IsSegment)
        {
            closure.Group.ShapeEdits.Add(new ShapeEdit(entry.Node, entry.InputIndex, entry.Element, entry.Value.Value));
        }
        else
        {
            closure.Fail($"{Describe(node)} computes its shape's entry for the units' axis at run time");
            return;
        }

        // A head split keeps the head width; a width computed at run time would follow the pruned size instead.
        if (shapeY[b] < shapeX[inputUnits.Axis] && (b + 1 >= entries.Count || entries[b + 1].Value is null))
        {
            closure.Fail($"{Describe(node)} computes the head width at run time");
        }
    }
}
