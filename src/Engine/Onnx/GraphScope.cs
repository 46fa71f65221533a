using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// The names visible inside one graph, resolved to constant storage where they have one. Subgraphs
/// (If/Loop/Scan bodies) see their own names first and then those of the enclosing graphs.
/// </summary>
internal sealed class GraphScope
{
    // Identity chains in real exports are short; the bound only stops a malformed cycle.
    private const int MaxIdentityDepth = 64;

    private readonly GraphScope? _parent;
    private readonly Dictionary<string, ConstantStorage> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _identityInputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _variables = new(StringComparer.Ordinal);

    public GraphScope(GraphProto graph, string path, GraphScope? parent)
    {
        _parent = parent;
        Path = path;

        // A graph input with an initializer of the same name is only a default the caller can override.
        foreach (var input in graph.Input)
        {
            _variables.Add(input.Name);
        }

        foreach (var initializer in graph.Initializer)
        {
            if (!_variables.Contains(initializer.Name))
            {
                _constants[initializer.Name] = new ConstantStorage(initializer, initializer.Name, LocationOf("initializer"));
            }
        }

        foreach (var node in graph.Node)
        {
            if (node.Output.Count == 0)
            {
                continue;
            }

            var output = node.Output[0];
            if (IsDefaultDomainOp(node, "Identity") && node.Input.Count == 1)
            {
                _identityInputs[output] = node.Input[0];
                continue;
            }

            var value = IsDefaultDomainOp(node, "Constant") ? node.Attribute.FirstOrDefault(a => a.Name == "value")?.T : null;
            if (value is not null)
            {
                _constants[output] = new ConstantStorage(value, output, LocationOf("constant"));
                continue;
            }

            foreach (var name in node.Output)
            {
                _variables.Add(name);
            }
        }
    }

    /// <summary>"main" for the model's graph, "main/If_0.then_branch" for a branch of node If_0.</summary>
    public string Path { get; }

    public ConstantStorage? Resolve(string name) => Resolve(name, 0);

    private ConstantStorage? Resolve(string name, int depth)
    {
        if (depth > MaxIdentityDepth || name.Length == 0)
        {
            return null;
        }

        if (_identityInputs.TryGetValue(name, out var source))
        {
            return Resolve(source, depth + 1);
        }

        if (_constants.TryGetValue(name, out var storage))
        {
            return storage;
        }

        return _variables.Contains(name) ? null : _parent?.Resolve(name, depth + 1);
    }

    private string LocationOf(string kind) => _parent is null ? kind : $"{Path}: {kind}";

    internal static bool IsDefaultDomainOp(NodeProto node, string opType) =>
        node.OpType == opType && OnnxTensorWalker.IsDefaultDomain(node.Domain);
}
