using static ModelPrune.Engine.Statistics.GraphNodes;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Drops padded positions from the statistics, as the reference code does when it captures layer inputs: a
/// model with an <c>attention_mask</c> input [batch, sequence] pads short sequences, and the padded positions'
/// activations are computed but never used, so they must not shape Σx² or XᵀX. Each activation of shape
/// [batch, sequence, d] is multiplied by the mask (a zero row adds nothing to either sum) and its token count
/// becomes the mask's sum. Whether an activation has that shape is only known at run time, so the graph checks
/// it per batch and leaves other activations (a pooled [batch, d], attention heads) as they are.
/// </summary>
internal static class PaddingMask
{
    /// <summary>The model input that is taken as the padding mask.</summary>
    public const string InputName = "attention_mask";

    /// <summary>If, Where and Slice-with-inputs are all there from opset 11 on; older models are measured unmasked.</summary>
    public const long MinimumOpset = 11;

    // Unsqueeze moved "axes" from an attribute to an input in opset 13.
    private const long AxesAsInputOpset = 13;

    private const string Prefix = "__modelprune_mask_";

    /// <summary>The padding mask input of a model, or null: a rank-2 input named attention_mask, in an opset that supports masking.</summary>
    public static string? Find(global::Onnx.ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (StatisticsGraphBuilder.DefaultOpset(model) < MinimumOpset || model.Graph is null) return null;
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var input = model.Graph.Input.FirstOrDefault(i => i.Name == InputName && !initializers.Contains(i.Name));
        var dims = input?.Type?.TensorType?.Shape?.Dim;
        return dims is { Count: 2 } ? input!.Name : null;
    }

    /// <summary>Adds the nodes every masked layer shares: the mask as [batch, sequence, 1] floats, its shape and its sum.</summary>
    public static void AddShared(global::Onnx.GraphProto graph, string maskInput, int statisticType, long opset)
    {
        graph.Node.Add(Node("Cast", Prefix + "cast", new[] { maskInput }, Prefix + "float", IntAttribute("to", statisticType)));
        if (opset >= AxesAsInputOpset)
        {
            graph.Initializer.Add(Int64Tensor(Prefix + "last_axis", new long[] { 1 }, 2));
            graph.Node.Add(Node("Unsqueeze", Prefix + "column", new[] { Prefix + "float", Prefix + "last_axis" }, Prefix + "column"));
        }
        else
        {
            graph.Node.Add(Node("Unsqueeze", Prefix + "column", new[] { Prefix + "float" }, Prefix + "column", IntsAttribute("axes", 2)));
        }

        graph.Node.Add(Node("Shape", Prefix + "shape", new[] { maskInput }, Prefix + "shape"));
        graph.Node.Add(Node("ReduceSum", Prefix + "sum", new[] { Prefix + "float" }, Prefix + "sum", IntAttribute("keepdims", 0)));
        graph.Node.Add(Node("Cast", Prefix + "tokens", new[] { Prefix + "sum" }, Prefix + "tokens", IntAttribute("to", (int)global::Onnx.TensorProto.Types.DataType.Int64)));
        graph.Initializer.Add(Int64Tensor(Prefix + "three", Array.Empty<long>(), 3));
        graph.Initializer.Add(Int64Tensor(Prefix + "one", Array.Empty<long>(), 1));
        graph.Initializer.Add(Int64Tensor(Prefix + "zero_start", new long[] { 1 }, 0));
        graph.Initializer.Add(Int64Tensor(Prefix + "two_end", new long[] { 1 }, 2));
    }

    /// <summary>
    /// Adds, for one activation, the run-time check "rank 3 and [batch, sequence] equal to the mask's" and an If
    /// that multiplies by the mask when it holds.
    /// </summary>
    /// <returns>The activation to reduce, and the boolean scalar saying whether the mask was applied.</returns>
    public static (string Masked, string Applied) Apply(global::Onnx.GraphProto graph, string name, string source, int statisticType)
    {
        var shape = name + "act_shape";
        graph.Node.Add(Node("Shape", name + "act_shape", new[] { source }, shape));
        graph.Node.Add(Node("Size", name + "act_rank", new[] { shape }, name + "act_rank"));
        graph.Node.Add(Node("Equal", name + "is_rank3", new[] { name + "act_rank", Prefix + "three" }, name + "is_rank3"));
        graph.Node.Add(Node("Slice", name + "leading", new[] { shape, Prefix + "zero_start", Prefix + "two_end" }, name + "leading"));
        graph.Node.Add(Node("Equal", name + "same_leading", new[] { name + "leading", Prefix + "shape" }, name + "same_leading"));
        graph.Node.Add(Node("Cast", name + "same_leading_int", new[] { name + "same_leading" }, name + "same_leading_int",
            IntAttribute("to", (int)global::Onnx.TensorProto.Types.DataType.Int64)));
        graph.Node.Add(Node("ReduceMin", name + "all_same", new[] { name + "same_leading_int" }, name + "all_same", IntAttribute("keepdims", 0)));
        graph.Node.Add(Node("Equal", name + "all_same_bool", new[] { name + "all_same", Prefix + "one" }, name + "all_same_bool"));
        var condition = name + "masked_condition";
        graph.Node.Add(Node("And", name + "masked_condition", new[] { name + "is_rank3", name + "all_same_bool" }, condition));

        var masked = name + "masked";
        var then = Branch(name + "then", Node("Mul", name + "apply_mask", new[] { source, Prefix + "column" }, name + "then_out"), name + "then_out", statisticType);
        var otherwise = Branch(name + "else", Node("Identity", name + "keep", new[] { source }, name + "else_out"), name + "else_out", statisticType);
        var ifNode = Node("If", name + "mask_if", new[] { condition }, masked);
        ifNode.Attribute.Add(new global::Onnx.AttributeProto { Name = "then_branch", Type = global::Onnx.AttributeProto.Types.AttributeType.Graph, G = then });
        ifNode.Attribute.Add(new global::Onnx.AttributeProto { Name = "else_branch", Type = global::Onnx.AttributeProto.Types.AttributeType.Graph, G = otherwise });
        graph.Node.Add(ifNode);

        return (masked, condition);
    }

    /// <summary>The token count to report: the mask's sum where it was applied, otherwise the rows of the activation.</summary>
    public static void AddTokenCount(global::Onnx.GraphProto graph, string name, string applied, string rows, string output) =>
        graph.Node.Add(Node("Where", name + "tokens", new[] { applied, Prefix + "tokens", rows }, output));

    private static global::Onnx.GraphProto Branch(string name, global::Onnx.NodeProto node, string output, int elementType)
    {
        var branch = new global::Onnx.GraphProto { Name = name };
        branch.Node.Add(node);
        branch.Output.Add(new global::Onnx.ValueInfoProto
        {
            Name = output,
            Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = elementType } },
        });
        return branch;
    }
}
