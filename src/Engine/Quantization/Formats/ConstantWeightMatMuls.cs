using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// What the formats that replace a MatMul by a quantized operator (MatMulNBits, DynamicQuantizeMatMul) share: a weight
/// qualifies only when every node reading it is a MatMul taking it as its second operand, and once those nodes are
/// rewritten the float weight (and Identity nodes leading to it) go when nothing else reads them.
/// </summary>
internal static class ConstantWeightMatMuls
{
    /// <summary>
    /// Why <paramref name="format"/> cannot replace the MatMuls of <paramref name="weight"/> (theirs, then the format's own
    /// <paramref name="formatRefusal"/>), or null with the nodes to rewrite and where the weight is stored.
    /// </summary>
    public static string? Locate(ModelGraphIndex index, PrunableWeight weight, string format, Func<string?> formatRefusal,
        out List<(GraphProto Graph, NodeProto Node)> consumers, out StorageSite? site)
    {
        site = null;
        var refusal = Refusal(index, weight, format, out consumers) ?? formatRefusal();
        if (refusal is not null) return refusal;
        site = index.FindStorage(weight.Tensor.Proto);
        return site is null ? $"the storage of '{weight.Name}' is not in this model" : null;
    }

    /// <summary>
    /// Adds the quantized tensors beside the weight, puts <paramref name="replacement"/> of each consuming MatMul in its
    /// place, and drops the float weight once nothing reads it.
    /// </summary>
    public static void ReplaceConsumers(ModelProto model, ModelGraphIndex index, StorageSite site, IEnumerable<TensorProto> initializers,
        IReadOnlyList<(GraphProto Graph, NodeProto Node)> consumers, Func<NodeProto, NodeProto> replacement)
    {
        site.Graph.Initializer.AddRange(initializers);
        var weightInputs = new List<string>();
        foreach (var (graph, node) in consumers)
        {
            weightInputs.Add(node.Input[1]);
            graph.Node[graph.Node.IndexOf(node)] = replacement(node);
        }

        foreach (var name in weightInputs.Distinct())
        {
            RemoveUnusedChain(index, name, site);
        }

        ImportMicrosoftDomain(model);
    }

    /// <summary>Why <paramref name="format"/> cannot replace the MatMuls of <paramref name="weight"/>, or null with their nodes.</summary>
    private static string? Refusal(ModelGraphIndex index, PrunableWeight weight, string format, out List<(GraphProto Graph, NodeProto Node)> consumers)
    {
        consumers = new List<(GraphProto, NodeProto)>();
        var dims = weight.Tensor.Dims;
        if (weight.OpType != "MatMul" || dims.Count != 2 || weight.InputAxis != 0)
        {
            return $"not {format}-compatible: only a rank-2 weight that is a MatMul's second operand fits; '{weight.Name}' feeds {weight.OpType} with shape [{string.Join(", ", dims)}]";
        }

        foreach (var nodeName in weight.NodeNames)
        {
            if (!index.TryFindNode(nodeName, out var graph, out var node, out var scope))
            {
                return $"node '{nodeName}' is not in this model";
            }

            var isSecondOperand = GraphScope.IsDefaultDomainOp(node, "MatMul") && node.Input.Count == 2
                && ReferenceEquals(scope.Resolve(node.Input[1])?.Tensor, weight.Tensor.Proto);
            if (!isSecondOperand)
            {
                return $"not {format}-compatible: '{weight.Name}' is also used by {node.OpType} '{nodeName}' other than as a MatMul's second operand";
            }

            consumers.Add((graph, node));
        }

        if (weight.Tensor.DataType != TensorElementTypes.Float)
        {
            return $"{format} is written for float32 models; the weight is {weight.Tensor.ElementTypeName}";
        }

        return null;
    }

    /// <summary>
    /// Drops what only the rewritten MatMuls read: Identity nodes between them and the float weight, then the
    /// weight itself, each only once nothing else in the model names it.
    /// </summary>
    private static void RemoveUnusedChain(ModelGraphIndex index, string name, StorageSite site)
    {
        while (!index.IsReferenced(name))
        {
            if (name == site.Name)
            {
                site.Remove();
                return;
            }

            if (index.IdentityProducing(name) is not { } identity)
            {
                return;
            }

            identity.Graph.Node.Remove(identity.Node);
            name = identity.Node.Input[0];
        }
    }

    /// <summary>Adds the com.microsoft operator set the contrib operators live in, once.</summary>
    private static void ImportMicrosoftDomain(ModelProto model)
    {
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
    }

    public const string MicrosoftDomain = "com.microsoft";
}
