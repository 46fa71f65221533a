using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// A reduction over other axes keeps the units (shifted down by the axes it drops without keepdims); one over the
/// units' axis mixes them, as a normalisation across channels does.
/// </summary>
internal sealed class ReduceRule() : UnitPropagationRule(
    "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
    "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var rank = closure.Rank(x);
        var keepDims = IntAttribute(node, "keepdims", 1) == 1;
        // The axes are an attribute before opset 18 (13 for ReduceSum) and an input after.
        var axesValues = node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray()
            ?? (node.Input.Count > 1 && node.Input[1].Length > 0 && closure.Index.Constant(node.Input[1]) is { } constant ? ShapeConstants.Read(constant) : null);
        if (axesValues is null || axesValues.Length == 0)
        {
            closure.Fail($"{Describe(node)} ({node.OpType}) reduces every axis, the units' too");
            return;
        }

        var axes = axesValues.Select(a => Normalize(a, rank)).ToHashSet();
        var kept = Enumerable.Range(0, rank).Where(a => !axes.Contains(a)).ToArray();
        var inputUnits = closure.View(x) ?? closure.View(y)!.Value with { Axis = keepDims ? closure.View(y)!.Value.Axis : kept[closure.View(y)!.Value.Axis] };
        if (axes.Contains(inputUnits.Axis))
        {
            closure.Fail($"{Describe(node)} ({node.OpType}) reduces over the units' axis, as a normalisation across channels (LayerNorm) does");
            return;
        }

        closure.Require(x, inputUnits);
        closure.Require(y, inputUnits with { Axis = keepDims ? inputUnits.Axis : Array.IndexOf(kept, inputUnits.Axis) });
    }
}
