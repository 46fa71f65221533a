using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Gemm with a constant B is a layer on 2-D activations: it makes the units as its output columns (B's axis 1, or 0
/// with transB, and C's last axis when C is a row of them), or reads them as its input columns.
/// </summary>
internal sealed class GemmRule() : UnitPropagationRule("Gemm")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (a, b, y) = (node.Input[0], node.Input[1], node.Output[0]);
        var transA = IntAttribute(node, "transA", 0);
        var transB = IntAttribute(node, "transB", 0);
        if (!closure.Index.IsConstant(b) || closure.Index.IsConstant(a) || transA != 0)
        {
            closure.Fail($"{Describe(node)} is a Gemm without a constant second operand (or with transA=1)");
            return;
        }

        var W = closure.Index.Constant(b)!;
        if (closure.View(y) is { } output)
        {
            if (output.Axis != 1 || closure.View(a) is not null)
            {
                closure.Fail($"{Describe(node)} does not produce the units as its output columns");
                return;
            }

            var outputs = W.Dims[transB == 0 ? 1 : 0];
            closure.AddProducer(node, 1, output with { Axis = transB == 0 ? 1 : 0 });
            if (node.Input.Count > 2 && node.Input[2].Length > 0) AddRowOperand(node, closure, outputs);
        }
        else if (closure.View(a) is { } input && input.Axis == 1)
        {
            closure.AddConsumer(node, a, input, 1, input with { Axis = transB == 0 ? 0 : 1 }, transB == 0 ? 0 : 1);
        }
        else
        {
            closure.Fail($"{Describe(node)} reads the units on an axis it does not contract");
        }
    }

    /// <summary>C broadcasts onto the output: a scalar or a row of 1 leaves the units alone, a row of them loses their entries.</summary>
    private static void AddRowOperand(NodeProto node, UnitGroupClosure closure, long outputs)
    {
        var c = node.Input[2];
        var shape = closure.Shape(c);
        if (!closure.Index.IsConstant(c) || shape.Length > 2 || (shape.Length == 2 && shape[0] != 1))
        {
            closure.Fail($"{Describe(node)} adds a C operand that is not a constant row");
            return;
        }

        if (shape.Length > 0 && shape[^1] == outputs && outputs > 1)
        {
            closure.Group.Slices.Add(new ParameterSlice(node, 2, new UnitAxis(shape.Length - 1), SliceRole.PerChannelConstant));
        }
    }
}
