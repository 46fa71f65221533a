using Onnx;

namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// The shape operand (input 1) of a Reshape or Expand, entry by entry, so that the entry that spells the units' size
/// can be rewritten where it is stored: in a constant, or in one constant piece of a Concat that builds the shape at
/// run time (batch and sequence read by Shape, the head count and width written out).
/// </summary>
internal static class ShapeOperand
{
    /// <summary>Each entry's constant value with where it is stored; null values for pieces computed at run time. Null when the operand is neither.</summary>
    public static List<(long? Value, NodeProto? Node, int InputIndex, int Element)>? Entries(NodeProto node, UnitGroupClosure closure)
    {
        var shape = node.Input[1];
        if (closure.Index.Constant(shape) is { } constant)
        {
            return ShapeConstants.Read(constant)?.Select((v, i) => ((long?)v, (NodeProto?)node, 1, i)).ToList();
        }

        var concat = closure.Index.Producer(shape);
        if (concat is null || concat.OpType != "Concat") return null;
        var entries = new List<(long?, NodeProto?, int, int)>();
        for (var i = 0; i < concat.Input.Count; i++)
        {
            var piece = concat.Input[i];
            if (closure.Index.Constant(piece) is { } values && ShapeConstants.Read(values) is { } read)
            {
                entries.AddRange(read.Select((v, e) => ((long?)v, (NodeProto?)concat, i, e)));
            }
            else
            {
                var length = closure.Shape(piece) is { Length: 1 } dims ? dims[0] : 1;
                for (var e = 0; e < length; e++) entries.Add((null, null, i, e));
            }
        }

        return entries;
    }
}
