using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// Shape(x) carries no units itself; it is fine as long as only other dimensions are read from it (batch and
/// sequence, for a later Reshape), since a count read at run time would not follow the pruning.
/// </summary>
internal sealed class ShapeRule() : UnitPropagationRule("Shape")
{
    public override void Propagate(NodeProto node, UnitGroupClosure closure)
    {
        var units = closure.View(node.Input[0])!.Value;
        if (node.Attribute.Any(a => a.Name is "start" or "end"))
        {
            closure.Fail($"{Describe(node)} reads a slice of the shape of '{node.Input[0]}'");
            return;
        }

        foreach (var (reader, input) in closure.Index.Consumers(node.Output[0]))
        {
            var index = reader.OpType == "Gather" && input == 0 && reader.Input.Count > 1 ? closure.Index.Constant(reader.Input[1]) : null;
            var read = index is null ? null : ShapeConstants.Read(index);
            if (read is not { Length: 1 } || Normalize(read[0], closure.Rank(node.Input[0])) == units.Axis)
            {
                closure.Fail($"{Describe(node)} reads the units' count of '{node.Input[0]}' at run time");
                return;
            }
        }

        if (closure.Index.Outputs.Contains(node.Output[0])) closure.Fail($"{Describe(node)} makes the shape a graph output");
    }
}
