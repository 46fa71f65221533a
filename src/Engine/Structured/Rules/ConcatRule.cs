using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Along another axis a Concat keeps the units where they are. Along the units' axis (a CNN joining branches) the
/// units fill one input's segment of the output: its layers are pruned on their own, and what reads the Concat
/// loses only that segment's channels.
/// </summary>
internal sealed class ConcatRule() : UnitPropagationRule("Concat")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var y = node.Output[0];
        var rank = closure.Rank(y);
        var axis = Normalize(IntAttribute(node, "axis", 0), rank);
        var inputs = node.Input.ToArray();
        var starts = new long[inputs.Length];
        for (var i = 1; i < inputs.Length; i++) starts[i] = starts[i - 1] + closure.Shape(inputs[i - 1])[axis];

        var known = closure.View(y) ?? inputs.Select(closure.View).First(v => v is not null)!.Value;
        if (known.Axis != axis)
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                if (closure.Index.IsConstant(inputs[i])) closure.Group.Slices.Add(new ParameterSlice(node, i, known, SliceRole.PerChannelConstant));
                else closure.Require(inputs[i], known);
            }

            closure.Require(y, known);
            return;
        }

        var inGroup = Enumerable.Range(0, inputs.Length).Where(i => closure.View(inputs[i]) is not null).ToArray();
        if (closure.View(y) is { } output)
        {
            // Reached from the output: the segment must lie within one input.
            var length = output.LengthIn(closure.Shape(y)[axis]);
            var source = Enumerable.Range(0, inputs.Length).FirstOrDefault(i => starts[i] <= output.Offset && output.Offset + length <= starts[i] + closure.Shape(inputs[i])[axis], -1);
            if (source < 0 || closure.Index.IsConstant(inputs[source]) || inGroup.Any(i => i != source))
            {
                closure.Fail($"{Describe(node)} concatenates the units across several of its inputs");
                return;
            }

            closure.Require(inputs[source], output with { Offset = output.Offset - starts[source] });
            return;
        }

        if (inGroup.Length != 1)
        {
            closure.Fail($"{Describe(node)} concatenates the units with themselves");
            return;
        }

        var part = inGroup[0];
        var units = closure.View(inputs[part])!.Value;
        closure.Require(y, units with { Offset = starts[part] + units.Offset, Length = units.LengthIn(closure.Shape(inputs[part])[axis]) });
    }
}
