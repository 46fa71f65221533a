using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>Transpose moves the units' axis where its permutation (reversed axes when absent) sends it.</summary>
internal sealed class TransposeRule() : UnitPropagationRule("Transpose")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var rank = closure.Rank(x);
        var perm = node.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints.Select(p => (int)p).ToArray()
            ?? Enumerable.Range(0, rank).Reverse().ToArray();
        if (closure.View(x) is { } input)
        {
            closure.Require(y, input with { Axis = Array.IndexOf(perm, input.Axis) });
        }
        else
        {
            var output = closure.View(y)!.Value;
            closure.Require(x, output with { Axis = perm[output.Axis] });
        }
    }
}
