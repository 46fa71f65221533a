using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// MatMul by a constant [in, out] weight is a layer: it makes the units on its output's last axis, or reads them on its
/// input's last axis. MatMul of two activations (attention's Q·Kᵀ and P·V) passes heads through on a batch axis.
/// </summary>
internal sealed class MatMulRule() : UnitPropagationRule("MatMul")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (a, b, y) = (node.Input[0], node.Input[1], node.Output[0]);
        var (aConstant, bConstant) = (closure.Index.IsConstant(a), closure.Index.IsConstant(b));
        if (bConstant && !aConstant)
        {
            PropagateLayer(node, closure, a, b, y);
            return;
        }

        if (aConstant || bConstant)
        {
            closure.Fail($"{Describe(node)} has its weight as the first operand");
            return;
        }

        PropagateHeads(node, closure, a, b, y);
    }

    private static void PropagateLayer(NodeProto node, UnitGroupClosure closure, string a, string b, string y)
    {
        var W = closure.Index.Constant(b)!;
        if (W.Dims.Count != 2)
        {
            closure.Fail($"{Describe(node)} multiplies by a weight of rank {W.Dims.Count}");
            return;
        }

        if (closure.View(y) is { } output)
        {
            if (output.Axis != closure.Rank(y) - 1 || closure.View(a) is not null)
            {
                closure.Fail($"{Describe(node)} does not produce the units on its output's last axis");
                return;
            }

            closure.AddProducer(node, 1, output with { Axis = 1 });
        }
        else if (closure.View(a) is { } input && input.Axis == closure.Rank(a) - 1)
        {
            closure.AddConsumer(node, a, input, 1, input with { Axis = 0 }, 0);
        }
        else
        {
            closure.Fail($"{Describe(node)} reads the units on an axis it does not contract");
        }
    }

    /// <summary>Heads must sit on a batch axis of all three tensors, counted from the end (the operands may differ in rank).</summary>
    private static void PropagateHeads(NodeProto node, UnitGroupClosure closure, string a, string b, string y)
    {
        var known = new[] { a, b, y }.Select(t => (Tensor: t, View: closure.View(t))).FirstOrDefault(t => t.View is not null);
        var fromEnd = known.View!.Value.Axis - closure.Rank(known.Tensor);
        if (fromEnd > -3 || known.View.Value.IsSegment)
        {
            closure.Fail($"{Describe(node)} multiplies two activations over the units' axis");
            return;
        }

        foreach (var tensor in new[] { a, b, y })
        {
            var axis = closure.Rank(tensor) + fromEnd;
            if (axis < 0)
            {
                closure.Fail($"{Describe(node)} broadcasts '{tensor}' across the heads");
                return;
            }

            closure.Require(tensor, known.View.Value with { Axis = axis });
        }
    }
}
