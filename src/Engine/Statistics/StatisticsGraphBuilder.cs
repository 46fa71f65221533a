using Google.Protobuf;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Appends reduction nodes to a copy of a model so that ONNX Runtime, on whatever device runs it,
/// turns each layer's activations into Σx² per feature, optionally XᵀX, and the token count; only
/// O(d²) numbers per layer then leave the runtime, never the activations.
/// </summary>
public static class StatisticsGraphBuilder
{
    public const string NormsOutputPrefix = "__modelprune_norms_";
    public const string GramOutputPrefix = "__modelprune_gram_";
    public const string RowsOutputPrefix = "__modelprune_rows_";

    /// <summary>The oldest opset whose Cast takes an integer "to" and whose Reshape takes its shape as an input.</summary>
    public const long MinimumOpset = 7;

    // ReduceSumSquare moved "axes" from an attribute to an optional input in opset 18.
    private const long AxesAsInputOpset = 18;

    private const string Prefix = "__modelprune_";
    private const string ZeroIndexName = Prefix + "zero_index";
    private const string RowAxesName = Prefix + "row_axes";

    public static StatisticsModel Build(global::Onnx.ModelProto model, IReadOnlyList<StatisticsRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requests);
        if (model.Graph is null)
        {
            throw new ArgumentException("the model contains no graph", nameof(model));
        }

        var opset = DefaultOpset(model);
        if (opset < MinimumOpset)
        {
            throw new ArgumentException($"the model imports ONNX opset {opset}; statistics need opset {MinimumOpset} or newer", nameof(model));
        }

        RejectNameClashes(model.Graph);
        var copy = ShallowCopy(model);
        var graph = copy.Graph;

        // Only the statistics are fetched; dropping the model's own outputs lets nothing else be kept alive for them.
        graph.Output.Clear();
        graph.Initializer.Add(Int64Tensor(ZeroIndexName, Array.Empty<long>(), 0));
        if (opset >= AxesAsInputOpset)
        {
            graph.Initializer.Add(Int64Tensor(RowAxesName, new long[] { 1 }, 0));
        }

        // Layers reading the same activation (query/key/value projections) are measured once.
        var groups = new Dictionary<(string Activation, int Features, int ElementType), int>();
        var gramByGroup = new List<bool>();
        var groupOfRequest = new int[requests.Count];
        for (var r = 0; r < requests.Count; r++)
        {
            var layer = requests[r].Layer;
            var key = (layer.ActivationName, layer.Features, layer.ElementType);
            if (!groups.TryGetValue(key, out var group))
            {
                group = groups.Count;
                groups.Add(key, group);
                gramByGroup.Add(false);
            }

            gramByGroup[group] |= requests[r].Gram;
            groupOfRequest[r] = group;
        }

        foreach (var ((activation, features, elementType), group) in groups)
        {
            AddGroup(graph, group, activation, features, elementType, gramByGroup[group], opset);
        }

        var layers = new LayerStatisticsOutputs[requests.Count];
        for (var r = 0; r < requests.Count; r++)
        {
            var group = groupOfRequest[r];
            layers[r] = new LayerStatisticsOutputs(
                requests[r].Layer,
                NormsOutputPrefix + group,
                gramByGroup[group] ? GramOutputPrefix + group : null,
                RowsOutputPrefix + group);
        }

        return new StatisticsModel(copy.ToByteArray(), layers);
    }

    /// <summary>The version of the default ONNX domain the model imports; 1 when it imports none, as the ONNX spec reads it.</summary>
    public static long DefaultOpset(global::Onnx.ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();

    private static void AddGroup(global::Onnx.GraphProto graph, int group, string activation, int features, int elementType, bool gram, long opset)
    {
        var name = $"{Prefix}{group}_";
        var source = activation;

        // float16 sums of squares overflow at 65504 and bfloat16 keeps 8 bits; float64 is already exact enough.
        var statisticType = elementType == TensorElementTypes.Double ? TensorElementTypes.Double : TensorElementTypes.Float;
        if (elementType != statisticType)
        {
            source = name + "float";
            graph.Node.Add(Node("Cast", name + "cast", new[] { activation }, source, IntAttribute("to", statisticType)));
        }

        var rows = name + "rows2d";
        graph.Initializer.Add(Int64Tensor(name + "shape", new long[] { 2 }, -1, features));
        graph.Node.Add(Node("Reshape", name + "reshape", new[] { source, name + "shape" }, rows));

        var norms = NormsOutputPrefix + group;
        var reduce = opset >= AxesAsInputOpset
            ? Node("ReduceSumSquare", name + "norms", new[] { rows, RowAxesName }, norms, IntAttribute("keepdims", 0))
            : Node("ReduceSumSquare", name + "norms", new[] { rows }, norms, IntsAttribute("axes", 0), IntAttribute("keepdims", 0));
        graph.Node.Add(reduce);
        graph.Output.Add(Output(norms, statisticType, features));

        if (gram)
        {
            var transposed = name + "transposed";
            var gramOutput = GramOutputPrefix + group;
            graph.Node.Add(Node("Transpose", name + "transpose", new[] { rows }, transposed, IntsAttribute("perm", 1, 0)));
            graph.Node.Add(Node("MatMul", name + "gram", new[] { transposed, rows }, gramOutput));
            graph.Output.Add(Output(gramOutput, statisticType, features, features));
        }

        var shape = name + "shape_of_rows";
        var rowCount = RowsOutputPrefix + group;
        graph.Node.Add(Node("Shape", name + "shape_of", new[] { rows }, shape));
        graph.Node.Add(Node("Gather", name + "row_count", new[] { shape, ZeroIndexName }, rowCount, IntAttribute("axis", 0)));
        graph.Output.Add(Output(rowCount, (int)global::Onnx.TensorProto.Types.DataType.Int64));
    }

    /// <summary>
    /// A copy whose graph has its own node, initializer and output lists but shares the node and tensor
    /// messages with the caller's model: protobuf's MergeFrom copies repeated fields by reference, so
    /// the weights are not duplicated in memory, and since only the copy's lists change, the caller's
    /// model stays as it was.
    /// </summary>
    private static global::Onnx.ModelProto ShallowCopy(global::Onnx.ModelProto model)
    {
        var copy = new global::Onnx.ModelProto();
        copy.MergeFrom(model);
        return copy;
    }

    private static void RejectNameClashes(global::Onnx.GraphProto graph)
    {
        var names = graph.Input.Select(i => i.Name)
            .Concat(graph.Initializer.Select(i => i.Name))
            .Concat(graph.Node.SelectMany(n => n.Output))
            .Concat(graph.Node.Select(n => n.Name));
        var clash = names.FirstOrDefault(n => n.StartsWith(Prefix, StringComparison.Ordinal));
        if (clash is not null)
        {
            throw new ArgumentException($"the model already uses the name '{clash}', which the statistics nodes need", nameof(graph));
        }
    }

    private static global::Onnx.NodeProto Node(string opType, string name, string[] inputs, string output, params global::Onnx.AttributeProto[] attributes)
    {
        var node = new global::Onnx.NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static global::Onnx.AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = global::Onnx.AttributeProto.Types.AttributeType.Int, I = value };

    private static global::Onnx.AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new global::Onnx.AttributeProto { Name = name, Type = global::Onnx.AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static global::Onnx.TensorProto Int64Tensor(string name, long[] dims, params long[] values)
    {
        var tensor = new global::Onnx.TensorProto { Name = name, DataType = (int)global::Onnx.TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    private static global::Onnx.ValueInfoProto Output(string name, int elementType, params long[] dims)
    {
        var shape = new global::Onnx.TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new global::Onnx.ValueInfoProto
        {
            Name = name,
            Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } },
        };
    }
}
