using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Ops that work entry by entry (arithmetic, activations, casts) keep the units where they are. Broadcasting aligns
/// shapes from the end, so the units' axis counted from the end is the same in every operand; a constant operand
/// that spans the units loses their entries, and another activation (a gate, a residual branch) joins the group.
/// </summary>
internal sealed class ElementwiseRule() : UnitPropagationRule(
    "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "PRelu", "Where",
    "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Erf", "Gelu", "Elu", "Selu", "Celu", "Softplus", "Softsign",
    "HardSigmoid", "HardSwish", "Mish", "ThresholdedRelu", "Neg", "Abs", "Sqrt", "Exp", "Log", "Reciprocal",
    "Clip", "Cast", "Identity", "Dropout", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        if (!closure.OnlyFirstOutputUsed(node)) return;
        var y = node.Output[0];
        var known = new[] { y }.Concat(node.Input.Where(i => i.Length > 0)).Select(t => (Tensor: t, View: closure.View(t))).First(t => t.View is not null);
        var fromEnd = known.View!.Value.Axis - closure.Rank(known.Tensor);
        for (var i = 0; i < node.Input.Count; i++)
        {
            var input = node.Input[i];
            if (input.Length == 0) continue;
            // Clip's bounds and Dropout's ratio and training flag are scalars that do not broadcast onto the data.
            if (node.OpType is "Clip" or "Dropout" && i > 0) continue;
            var shape = closure.Shape(input);
            var axis = shape.Length + fromEnd;
            var units = known.View.Value with { Axis = axis };
            if (closure.View(input) is { } view)
            {
                if (view != units) closure.Fail($"{Describe(node)} combines the units on different axes");
                continue;
            }

            if (axis < 0 || shape[axis] == 1) continue;
            if (closure.Index.IsConstant(input))
            {
                closure.Group.Slices.Add(new ParameterSlice(node, i, units, SliceRole.PerChannelConstant));
            }
            else if (units.IsSegment)
            {
                closure.Fail($"{Describe(node)} combines the part of a Concat that holds the units with another activation");
            }
            else
            {
                // A gate, a residual branch or the other half of x·erf(x): it carries the same units.
                closure.Require(input, units);
            }
        }

        closure.Require(y, known.View.Value with { Axis = closure.Rank(y) + fromEnd });
    }
}
