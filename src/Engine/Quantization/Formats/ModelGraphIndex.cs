using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// Every graph of a model (the main graph and If/Loop/Scan bodies) with its name scope, and its nodes under the
/// names <see cref="PrunableWeightFinder"/> reports, so a writer can go from a <see cref="PrunableWeight"/> back to
/// the nodes and storage it has to rewrite. Built fresh for each write: scopes describe the graph as it was.
/// </summary>
internal sealed class ModelGraphIndex
{
    private const string MainGraphPath = "main";

    private readonly List<(GraphProto Graph, GraphScope Scope)> _graphs = new();
    private readonly Dictionary<string, (GraphProto Graph, NodeProto Node, GraphScope Scope)> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public ModelGraphIndex(ModelProto model)
    {
        Model = model;
        if (model.Graph is not null)
        {
            Visit(model.Graph, new GraphScope(model.Graph, MainGraphPath, null));
        }
    }

    public ModelProto Model { get; }

    /// <summary>Every node with the name the finder gives it, its graph and its scope, in graph order.</summary>
    public IEnumerable<(string Name, GraphProto Graph, NodeProto Node, GraphScope Scope)> Nodes =>
        _nodes.Select(pair => (pair.Key, pair.Value.Graph, pair.Value.Node, pair.Value.Scope));

    public bool TryFindNode(string nodeName, out GraphProto graph, out NodeProto node, out GraphScope scope)
    {
        var found = _nodes.TryGetValue(nodeName, out var entry);
        (graph, node, scope) = entry;
        return found;
    }

    /// <summary>Where <paramref name="tensor"/> is stored, by reference: names may repeat across subgraphs, protos do not.</summary>
    public StorageSite? FindStorage(TensorProto tensor)
    {
        foreach (var (graph, _) in _graphs)
        {
            foreach (var initializer in graph.Initializer)
            {
                if (ReferenceEquals(initializer, tensor))
                {
                    return new StorageSite(graph, tensor, null, initializer.Name);
                }
            }

            foreach (var node in graph.Node)
            {
                if (GraphScope.IsDefaultDomainOp(node, "Constant") && node.Output.Count == 1
                    && node.Attribute.Any(a => a.Name == "value" && ReferenceEquals(a.T, tensor)))
                {
                    return new StorageSite(graph, tensor, node, node.Output[0]);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether any node input or graph output anywhere in the model names <paramref name="name"/>. Scopes are not
    /// told apart, so a shadowing name in another subgraph counts too: storage is only ever kept by mistake.
    /// </summary>
    public bool IsReferenced(string name) =>
        _graphs.Any(g => g.Graph.Output.Any(o => o.Name == name) || g.Graph.Node.Any(n => n.Input.Contains(name)));

    /// <summary>The Identity node anywhere in the model whose output is <paramref name="name"/>, if any.</summary>
    public (GraphProto Graph, NodeProto Node)? IdentityProducing(string name)
    {
        foreach (var (graph, _) in _graphs)
        {
            var node = graph.Node.FirstOrDefault(n => GraphScope.IsDefaultDomainOp(n, "Identity") && n.Output.Count == 1 && n.Output[0] == name);
            if (node is not null)
            {
                return (graph, node);
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="wanted"/>, or with a numeric suffix when a value, initializer or node already uses it. The
    /// name is reserved, so two calls never return the same one.
    /// </summary>
    public string UniqueName(string wanted)
    {
        var name = wanted;
        for (var i = 1; !_names.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        return name;
    }

    /// <summary>The model's ai.onnx opset version; 0 when it imports none.</summary>
    public long DefaultOpset() =>
        Model.OpsetImport.Where(o => OnnxTensorWalker.IsDefaultDomain(o.Domain)).Select(o => o.Version).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Walks the graphs as <see cref="PrunableWeightFinder"/> does, naming unnamed nodes and subgraphs the same
    /// way, so the names in <see cref="PrunableWeight.NodeNames"/> find their nodes here.
    /// </summary>
    private void Visit(GraphProto graph, GraphScope scope)
    {
        _graphs.Add((graph, scope));
        _names.UnionWith(graph.Input.Select(v => v.Name));
        _names.UnionWith(graph.Output.Select(v => v.Name));
        _names.UnionWith(graph.Initializer.Select(t => t.Name));
        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            var nodeName = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}@{scope.Path}/{index}" : node.Name;
            _nodes.TryAdd(nodeName, (graph, node, scope));
            _names.Add(nodeName);
            _names.UnionWith(node.Output);
            foreach (var attribute in node.Attribute)
            {
                var subgraphPath = $"{scope.Path}/{nodeName}.{attribute.Name}";
                if (attribute.G is not null)
                {
                    Visit(attribute.G, new GraphScope(attribute.G, subgraphPath, scope));
                }

                for (var g = 0; g < attribute.Graphs.Count; g++)
                {
                    Visit(attribute.Graphs[g], new GraphScope(attribute.Graphs[g], $"{subgraphPath}[{g}]", scope));
                }
            }
        }
    }
}
