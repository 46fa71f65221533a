using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// The graph and the exact place a constant tensor is stored: an initializer, or the value of a Constant node.
/// Writers replace or remove the storage here, in the graph that owns it, so that every consumer that resolved
/// the name (from nested If/Loop bodies too) still sees it.
/// </summary>
internal sealed record StorageSite(GraphProto Graph, TensorProto Tensor, NodeProto? ConstantNode, string Name)
{
    /// <summary>
    /// Puts <paramref name="producer"/> (whose output is <see cref="Name"/>) where the float tensor was, and adds
    /// <paramref name="initializers"/> to the same graph. A Constant node is replaced in place, which keeps the
    /// node order topological; an initializer's producer goes first, since its inputs are initializers only.
    /// </summary>
    public void ReplaceWith(NodeProto producer, IEnumerable<TensorProto> initializers)
    {
        if (ConstantNode is not null)
        {
            Graph.Node[Graph.Node.IndexOf(ConstantNode)] = producer;
        }
        else
        {
            Graph.Initializer.Remove(Tensor);
            Graph.Node.Insert(0, producer);
        }

        Graph.Initializer.AddRange(initializers);
    }

    public void Remove()
    {
        if (ConstantNode is not null)
        {
            Graph.Node.Remove(ConstantNode);
        }
        else
        {
            Graph.Initializer.Remove(Tensor);
        }
    }
}
