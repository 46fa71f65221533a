using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>Who produces and who reads each value of the main graph, and which values are constants.</summary>
internal sealed class GraphIndex
{
    private readonly GraphScope _scope;
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(NodeProto Node, int Input)>> _consumers = new(StringComparer.Ordinal);

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        _scope = new GraphScope(graph, "main", null);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0)) _producers[output] = node;
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i].Length == 0) continue;
                if (!_consumers.TryGetValue(node.Input[i], out var list)) _consumers[node.Input[i]] = list = new();
                list.Add((node, i));
            }

            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null) CollectOuterNames(attribute.G, node);
                foreach (var g in attribute.Graphs) CollectOuterNames(g, node);
            }
        }

        Outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        Inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
    }

    public GraphProto Graph { get; }

    public IReadOnlySet<string> Outputs { get; }

    public IReadOnlySet<string> Inputs { get; }

    /// <summary>Values of the main graph read inside a subgraph (If/Loop/Scan bodies see the outer scope), with the node owning it.</summary>
    public Dictionary<string, NodeProto> ReadBySubgraph { get; } = new(StringComparer.Ordinal);

    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    public IReadOnlyList<(NodeProto Node, int Input)> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : Array.Empty<(NodeProto, int)>();

    /// <summary>The constant behind a value (initializer or Constant node, through Identity chains), or null for an activation.</summary>
    public TensorProto? Constant(string value) => _scope.Resolve(value)?.Tensor;

    public bool IsConstant(string value) => value.Length > 0 && Constant(value) is not null;

    /// <summary>The name the constant is stored under (initializer, or the Constant node's output), as PrunableWeightFinder names weights.</summary>
    public string? ConstantName(string value) => _scope.Resolve(value)?.Name;

    /// <summary>
    /// Every node input of the main graph that reads <paramref name="tensor"/>, directly or through Identity nodes (which
    /// only pass it on and are not readers themselves), and every graph output that is the tensor.
    /// </summary>
    public IReadOnlyList<(NodeProto Node, int Input)> Readers(TensorProto tensor)
    {
        _readers ??= BuildReaders();
        return _readers.TryGetValue(tensor, out var list) ? list : Array.Empty<(NodeProto, int)>();
    }

    private Dictionary<TensorProto, List<(NodeProto, int)>>? _readers;

    private Dictionary<TensorProto, List<(NodeProto, int)>> BuildReaders()
    {
        var readers = new Dictionary<TensorProto, List<(NodeProto, int)>>(ReferenceEqualityComparer.Instance);
        foreach (var node in Graph.Node)
        {
            if (node.OpType == "Identity" && OnnxTensorWalker.IsDefaultDomain(node.Domain)) continue;
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (Constant(node.Input[i]) is not { } tensor) continue;
                if (!readers.TryGetValue(tensor, out var list)) readers[tensor] = list = new();
                list.Add((node, i));
            }
        }

        return readers;
    }

    private void CollectOuterNames(GraphProto subgraph, NodeProto owner)
    {
        foreach (var node in subgraph.Node)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0)) ReadBySubgraph.TryAdd(input, owner);
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null) CollectOuterNames(attribute.G, owner);
                foreach (var g in attribute.Graphs) CollectOuterNames(g, owner);
            }
        }
    }
}
