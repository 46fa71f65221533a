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
    /// <summary>Why <paramref name="format"/> cannot replace the MatMuls of <paramref name="weight"/>, or null with their nodes.</summary>
    public static string? Refusal(ModelGraphIndex index, PrunableWeight weight, string format, out List<(GraphProto Graph, NodeProto Node)> consumers)
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
    public static void RemoveUnusedChain(ModelGraphIndex index, string name, StorageSite site)
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
    public static void ImportMicrosoftDomain(ModelProto model)
    {
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
    }

    public const string MicrosoftDomain = "com.microsoft";
}
