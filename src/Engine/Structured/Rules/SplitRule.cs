using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Split along another axis keeps the units in every part. Along the units' axis it is a fused Q/K/V (or gate/up)
/// projection being cut apart: every part holds all the units, so the fused side holds them once per part
/// (<see cref="UnitAxis.Repeats"/>), and the parts' sizes follow the kept count.
/// </summary>
internal sealed class SplitRule() : UnitPropagationRule("Split")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var x = node.Input[0];
        var outputs = node.Output.Where(o => o.Length > 0).ToArray();
        var shape = closure.Shape(x);
        var axis = Normalize(IntAttribute(node, "axis", 0), shape.Length);
        if (closure.View(x) is not { } input)
        {
            closure.Fail($"{Describe(node)} (Split) is reached from one of its parts");
            return;
        }

        if (input.Axis != axis)
        {
            foreach (var output in outputs) closure.Require(output, input);
            return;
        }

        var parts = outputs.Select(o => closure.Shape(o)[axis]).ToArray();
        if (input.IsSegment || input.Repeats != 1 || parts.Distinct().Count() != 1 || parts.Length < 2)
        {
            closure.Fail($"{Describe(node)} splits the units' axis into parts that are not the same units");
            return;
        }

        if (!RepeatFusedSide(node, closure, shape[axis], parts.Length)) return;
        foreach (var output in outputs) closure.Require(output, new UnitAxis(axis));
        RecordPartSizes(node, closure);
    }

    /// <summary>Everything met so far is the fused side: it holds the units once per part.</summary>
    private static bool RepeatFusedSide(NodeProto node, UnitGroupClosure closure, long dim, int parts)
    {
        var group = closure.Group;
        if (group.Tensors.Any(t => closure.Shape(t.Key)[t.Value.Axis] != dim || t.Value.IsSegment)
            || group.Slices.Any(s => closure.Index.Constant(s.ValueName)!.Dims[s.Units.Axis] != dim || s.Units.IsSegment))
        {
            closure.Fail($"{Describe(node)} splits a fused projection whose channels also meet other tensors");
            return false;
        }

        foreach (var name in group.Tensors.Keys.ToArray()) group.Tensors[name] = group.Tensors[name] with { Repeats = parts };
        for (var i = 0; i < group.Slices.Count; i++) group.Slices[i] = group.Slices[i] with { Units = group.Slices[i].Units with { Repeats = parts } };
        return true;
    }

    /// <summary>The parts' sizes are an input from opset 13 on and the <c>split</c> attribute before; absent, they are equal and adapt.</summary>
    private static void RecordPartSizes(NodeProto node, UnitGroupClosure closure)
    {
        if (node.Input.Count > 1 && node.Input[1].Length > 0)
        {
            if (closure.Index.Constant(node.Input[1]) is not { } sizes || ShapeConstants.Read(sizes) is not { } values)
            {
                closure.Fail($"{Describe(node)} computes its parts' sizes at run time");
                return;
            }

            for (var e = 0; e < values.Length; e++) closure.Group.ShapeEdits.Add(new ShapeEdit(node, 1, e, values[e]));
        }
        else if (node.Attribute.Any(a => a.Name == "split"))
        {
            closure.Group.SplitAttributeEdits.Add(node);
        }
    }
}
