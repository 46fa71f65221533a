namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Cuts a model into consecutive parts, one per block of layers, so that calibration statistics can be collected block
/// after block while ONNX Runtime holds only one block's weights and only one block's Gram matrices are alive. Each
/// node of the model runs in exactly one part: a part runs the nodes its statistics need that no earlier part ran,
/// reading what earlier parts computed from the values they carried forward (the residual stream of a transformer,
/// its masks and rotary tables), and carries forward whatever a later part still reads.
/// </summary>
/// <remarks>
/// Every node that reads a block's weights runs in that block's part or earlier, so a part is always built before any
/// weight it reads is pruned: collecting statistics block by block while pruning each block as it comes gives exactly
/// the statistics of the dense model, as one pass over the whole model does. ONNX keeps nodes in topological order,
/// which the parts keep.
/// </remarks>
internal sealed class GraphSlicer
{
    private readonly global::Onnx.GraphProto _graph;
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphInputs;
    private readonly bool[] _ran;
    private readonly bool[] _feedsStatistics;

    /// <param name="model">The model the statistics models are built from; its own nodes come first in each of them.</param>
    /// <param name="activations">The activations of every block: only nodes they depend on ever run.</param>
    public GraphSlicer(global::Onnx.ModelProto model, IEnumerable<string> activations)
    {
        _graph = model.Graph ?? throw new ArgumentException("the model contains no graph", nameof(model));
        _ran = new bool[_graph.Node.Count];
        var initializers = _graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        _graphInputs = _graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToHashSet(StringComparer.Ordinal);
        for (var index = 0; index < _graph.Node.Count; index++)
        {
            foreach (var output in _graph.Node[index].Output)
            {
                if (output.Length > 0) _producer[output] = index;
            }

            foreach (var input in InputsOf(_graph.Node[index]))
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = new List<int>();
                list.Add(index);
            }
        }

        // A node reading a block's weights runs with that block's part only when some statistics depend on it: a language
        // model's lm_head, whose [batch, sequence, vocabulary] logits no layer reads, never runs.
        _feedsStatistics = new bool[_graph.Node.Count];
        var pending = new Stack<string>(activations);
        while (pending.Count > 0)
        {
            if (!_producer.TryGetValue(pending.Pop(), out var index) || _feedsStatistics[index]) continue;
            _feedsStatistics[index] = true;
            foreach (var input in InputsOf(_graph.Node[index])) pending.Push(input);
        }
    }

    /// <summary>
    /// The next part: the nodes of <paramref name="statistics"/> that compute its outputs, with the model nodes that
    /// read <paramref name="weights"/> and everything those need, less what earlier parts ran.
    /// </summary>
    /// <param name="statistics">The model with this block's statistics nodes appended (<see cref="StatisticsGraphBuilder"/>).</param>
    /// <param name="weights">The names of the block's weights: every node reading them runs now, before they are pruned.</param>
    /// <param name="laterActivations">The activations later blocks measure: carried forward when this part computes them.</param>
    /// <param name="carriedTypes">The element type of each value carried from earlier parts.</param>
    public GraphSlice Next(StatisticsModel statistics, IEnumerable<string> weights, IReadOnlySet<string> laterActivations,
        IReadOnlyDictionary<string, int> carriedTypes)
    {
        var graph = statistics.Model.Graph;
        var modelNodes = _graph.Node.Count;
        var producer = new Dictionary<string, int>(_producer, StringComparer.Ordinal);
        for (var index = modelNodes; index < graph.Node.Count; index++)
        {
            foreach (var output in graph.Node[index].Output) producer[output] = index;
        }

        var runs = new bool[graph.Node.Count];
        var pending = new Stack<int>();
        void Need(string value)
        {
            if (producer.TryGetValue(value, out var index) && !runs[index] && !(index < modelNodes && _ran[index]))
            {
                runs[index] = true;
                pending.Push(index);
            }
        }

        foreach (var output in statistics.OutputNames) Need(output);
        foreach (var weight in weights)
        {
            Need(weight);
            foreach (var consumer in _consumers.GetValueOrDefault(weight) ?? new List<int>())
            {
                if (_feedsStatistics[consumer] && !_ran[consumer] && !runs[consumer])
                {
                    runs[consumer] = true;
                    pending.Push(consumer);
                }
            }
        }

        while (pending.Count > 0)
        {
            foreach (var input in InputsOf(graph.Node[pending.Pop()])) Need(input);
        }

        var kept = Enumerable.Range(0, graph.Node.Count).Where(i => runs[i]).ToArray();
        for (var i = 0; i < modelNodes; i++) _ran[i] |= runs[i];

        var read = kept.SelectMany(i => InputsOf(graph.Node[i])).ToHashSet(StringComparer.Ordinal);
        var computed = kept.SelectMany(i => graph.Node[i].Output).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        var fromEarlier = read.Where(v => !computed.Contains(v) && carriedTypes.ContainsKey(v)).OrderBy(v => v, StringComparer.Ordinal).ToArray();
        var fromBatch = read.Where(_graphInputs.Contains).OrderBy(v => v, StringComparer.Ordinal).ToArray();
        var carriedOn = kept.Where(i => i < modelNodes)
            .SelectMany(i => graph.Node[i].Output)
            .Where(o => o.Length > 0 && (laterActivations.Contains(o) || StillRead(o)))
            .ToArray();

        return new GraphSlice(SliceModel(statistics.Model, kept, read, fromEarlier, carriedTypes, carriedOn, statistics.OutputNames), fromBatch, fromEarlier, carriedOn);
    }

    /// <summary>Whether a node that has not run yet reads <paramref name="value"/>.</summary>
    public bool StillRead(string value) => _consumers.TryGetValue(value, out var consumers) && consumers.Any(c => !_ran[c]);

    private static global::Onnx.ModelProto SliceModel(global::Onnx.ModelProto statisticsModel, int[] kept, HashSet<string> read,
        string[] fromEarlier, IReadOnlyDictionary<string, int> carriedTypes, string[] carriedOn, IReadOnlyList<string> statisticsOutputs)
    {
        // The model's own fields (opsets, functions, metadata) without cloning its graph, whose lists are filtered below.
        var source = statisticsModel.Graph;
        statisticsModel.Graph = null;
        var slice = statisticsModel.Clone();
        statisticsModel.Graph = source;
        slice.Graph = new global::Onnx.GraphProto { Name = source.Name, DocString = source.DocString };
        var graph = slice.Graph;
        graph.Node.AddRange(kept.Select(i => source.Node[i]));
        graph.Initializer.AddRange(source.Initializer.Where(t => read.Contains(t.Name)));
        graph.SparseInitializer.AddRange(source.SparseInitializer.Where(t => read.Contains(t.Values?.Name ?? string.Empty)));
        graph.Input.AddRange(source.Input.Where(i => read.Contains(i.Name)));
        foreach (var name in fromEarlier)
        {
            graph.Input.Add(new global::Onnx.ValueInfoProto
            {
                Name = name,
                Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = carriedTypes[name] } },
            });
        }

        var produced = graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        graph.ValueInfo.AddRange(source.ValueInfo.Where(v => produced.Contains(v.Name)));
        graph.Output.AddRange(source.Output.Where(o => statisticsOutputs.Contains(o.Name)));

        // ONNX Runtime infers the element type and shape of an output declared by name alone.
        foreach (var name in carriedOn)
        {
            graph.Output.Add(source.ValueInfo.FirstOrDefault(v => v.Name == name) ?? new global::Onnx.ValueInfoProto { Name = name });
        }

        return slice;
    }

    /// <summary>A node's inputs, with the outer values its subgraphs (If, Loop, Scan) read.</summary>
    public static IEnumerable<string> InputsOf(global::Onnx.NodeProto node)
    {
        foreach (var input in node.Input)
        {
            if (input.Length > 0) yield return input;
        }

        foreach (var attribute in node.Attribute)
        {
            var subgraphs = attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G);
            foreach (var subgraph in subgraphs)
            {
                foreach (var inner in subgraph.Node.SelectMany(InputsOf)) yield return inner;
            }
        }
    }
}
