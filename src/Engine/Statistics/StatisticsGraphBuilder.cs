using Google.Protobuf;
using ModelPrune.Engine.Onnx;
using static ModelPrune.Engine.Statistics.GraphNodes;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Appends reduction nodes to a copy of a model so that ONNX Runtime, on whatever device runs it,
/// turns each layer's activations into Σx² per feature, optionally XᵀX, and the token count; only
/// O(d²) numbers per layer then leave the runtime, never the activations.
/// </summary>
internal static class StatisticsGraphBuilder
{
    public const string NormsOutputPrefix = "__modelprune_norms_";
    public const string GramOutputPrefix = "__modelprune_gram_";
    public const string RowsOutputPrefix = "__modelprune_rows_";

    /// <summary>The oldest opset whose Cast takes an integer "to" and whose Reshape takes its shape as an input.</summary>
    public const long MinimumOpset = 7;

    private const long AxesAsInputOpset = 18;

    private const string Prefix = "__modelprune_";

    /// <param name="paddingMask">The model input that marks padded positions (see <see cref="PaddingMask"/>), or null.</param>
    public static StatisticsModel Build(global::Onnx.ModelProto model, IReadOnlyList<StatisticsRequest> requests, string? paddingMask = null)
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
        // Layers reading the same activation (query/key/value projections) are measured once.
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstOfGroup = new List<LayerInput>();
        var gramByGroup = new List<bool>();
        var groupOfRequest = new int[requests.Count];
        for (var r = 0; r < requests.Count; r++)
        {
            var layer = requests[r].Layer;
            if (!groups.TryGetValue(layer.ViewKey, out var group))
            {
                group = groups.Count;
                groups.Add(layer.ViewKey, group);
                firstOfGroup.Add(layer);
                gramByGroup.Add(false);
            }

            gramByGroup[group] |= requests[r].Gram;
            groupOfRequest[r] = group;
        }

        if (paddingMask is not null)
        {
            PaddingMask.AddShared(graph, paddingMask, TensorElementTypes.Float, opset);
        }

        var unfoldKernels = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var group = 0; group < firstOfGroup.Count; group++)
        {
            AddGroup(graph, group, firstOfGroup[group], gramByGroup[group], opset, unfoldKernels, paddingMask is not null);
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

        return new StatisticsModel(copy, layers);
    }

    /// <summary>The version of the default ONNX domain the model imports; 1 when it imports none, as the ONNX spec reads it.</summary>
    public static long DefaultOpset(global::Onnx.ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();

    /// <summary>
    /// X as rows of d features: [tokens, d], or [groups, tokens, d] for a Conv, whose groups each see their own
    /// patches. Σx² and the token count reduce over the tokens axis, XᵀX multiplies along it.
    /// </summary>
    private static void AddGroup(global::Onnx.GraphProto graph, int group, LayerInput layer, bool gram, long opset, Dictionary<string, string> unfoldKernels, bool masked)
    {
        var name = $"{Prefix}{group}_";
        var source = layer.ActivationName;
        var features = layer.Features;

        // float16 sums of squares overflow at 65504 and bfloat16 keeps 8 bits; float64 is already exact enough,
        // except as a Conv input, which ONNX Runtime's CPU provider computes in float only.
        var statisticType = layer.ElementType == TensorElementTypes.Double && layer.Unfold is null ? TensorElementTypes.Double : TensorElementTypes.Float;
        if (layer.ElementType != statisticType)
        {
            source = name + "float";
            graph.Node.Add(Node("Cast", name + "cast", new[] { layer.ActivationName }, source, IntAttribute("to", statisticType)));
        }

        // Only a [batch, sequence, d] MatMul input lines up with the mask; the check for that shape runs per batch.
        string? maskApplied = null;
        if (masked && layer.Unfold is null && !layer.TransposeActivation && statisticType == TensorElementTypes.Float)
        {
            (source, maskApplied) = PaddingMask.Apply(graph, name, source, statisticType);
        }

        string rows;
        long tokensAxis;
        long[] normsShape, gramShape;
        long[] gramPerm;
        if (layer.Unfold is { } unfold)
        {
            rows = AddPatches(graph, name, source, unfold, features, unfoldKernels);
            tokensAxis = 1;
            normsShape = new long[] { unfold.Groups, features };
            gramShape = new long[] { unfold.Groups, features, features };
            gramPerm = new long[] { 0, 2, 1 };
        }
        else
        {
            if (layer.TransposeActivation)
            {
                var transposedSource = name + "features_last";
                graph.Node.Add(Node("Transpose", name + "features_last", new[] { source }, transposedSource, IntsAttribute("perm", 1, 0)));
                source = transposedSource;
            }

            rows = name + "rows2d";
            graph.Initializer.Add(Int64Tensor(name + "shape", new long[] { 2 }, -1, features));
            graph.Node.Add(Node("Reshape", name + "reshape", new[] { source, name + "shape" }, rows));
            tokensAxis = 0;
            normsShape = new long[] { features };
            gramShape = new long[] { features, features };
            gramPerm = new long[] { 1, 0 };
        }

        var norms = NormsOutputPrefix + group;
        graph.Node.Add(ReduceSumSquare(graph, name, rows, norms, tokensAxis, opset));
        graph.Output.Add(Output(norms, statisticType, normsShape));

        if (gram)
        {
            var transposed = name + "transposed";
            var gramOutput = GramOutputPrefix + group;
            graph.Node.Add(Node("Transpose", name + "transpose", new[] { rows }, transposed, IntsAttribute("perm", gramPerm)));
            graph.Node.Add(Node("MatMul", name + "gram", new[] { transposed, rows }, gramOutput));
            graph.Output.Add(Output(gramOutput, statisticType, gramShape));
        }

        var shape = name + "shape_of_rows";
        var rowCount = RowsOutputPrefix + group;
        graph.Initializer.Add(Int64Tensor(name + "tokens_axis", Array.Empty<long>(), tokensAxis));
        graph.Node.Add(Node("Shape", name + "shape_of", new[] { rows }, shape));
        if (maskApplied is null)
        {
            graph.Node.Add(Node("Gather", name + "row_count", new[] { shape, name + "tokens_axis" }, rowCount, IntAttribute("axis", 0)));
        }
        else
        {
            graph.Node.Add(Node("Gather", name + "row_count", new[] { shape, name + "tokens_axis" }, name + "all_rows", IntAttribute("axis", 0)));
            PaddingMask.AddTokenCount(graph, name, maskApplied, name + "all_rows", rowCount);
        }
        graph.Output.Add(Output(rowCount, (int)global::Onnx.TensorProto.Types.DataType.Int64));
    }

    // ReduceSumSquare moved "axes" from an attribute to an optional input in opset 18.
    private static global::Onnx.NodeProto ReduceSumSquare(global::Onnx.GraphProto graph, string name, string rows, string output, long axis, long opset)
    {
        if (opset < AxesAsInputOpset)
        {
            return Node("ReduceSumSquare", name + "norms", new[] { rows }, output, IntsAttribute("axes", axis), IntAttribute("keepdims", 0));
        }

        graph.Initializer.Add(Int64Tensor(name + "norms_axes", new long[] { 1 }, axis));
        return Node("ReduceSumSquare", name + "norms", new[] { rows, name + "norms_axes" }, output, IntAttribute("keepdims", 0));
    }

    /// <summary>
    /// Unfolds a Conv input into [groups, tokens, d] patches with a second Conv of the same strides, pads and
    /// dilations whose kernel is the identity: output channel (group, j) copies patch element j, so every output
    /// position yields exactly the patch the pruned Conv multiplies. ONNX has no im2col op, and this keeps the
    /// unfolding on whatever device runs the model.
    /// </summary>
    private static string AddPatches(global::Onnx.GraphProto graph, string name, string source, ConvUnfold unfold, int features, Dictionary<string, string> unfoldKernels)
    {
        var kernelKey = $"{unfold.Groups}|{unfold.InputChannelsPerGroup}|{string.Join("x", unfold.KernelShape)}";
        if (!unfoldKernels.TryGetValue(kernelKey, out var kernel))
        {
            kernel = $"{Prefix}unfold_kernel_{unfoldKernels.Count}";
            unfoldKernels.Add(kernelKey, kernel);
            graph.Initializer.Add(IdentityKernel(kernel, unfold, features));
        }

        var attributes = unfold.Attributes.Select(a => a.Clone()).ToList();
        attributes.Add(IntAttribute("group", unfold.Groups));
        attributes.Add(IntsAttribute("kernel_shape", unfold.KernelShape.ToArray()));
        var patches = name + "patches";
        graph.Node.Add(Node("Conv", name + "unfold", new[] { source, kernel }, patches, attributes.ToArray()));

        // [N, g·d, spatial...] → [N, g, d, positions] → [g, N, positions, d] → [g, N·positions, d]
        var split = name + "patches_split";
        graph.Initializer.Add(Int64Tensor(name + "split_shape", new long[] { 4 }, 0, unfold.Groups, features, -1));
        graph.Node.Add(Node("Reshape", name + "split", new[] { patches, name + "split_shape" }, split));
        var grouped = name + "patches_grouped";
        graph.Node.Add(Node("Transpose", name + "group_first", new[] { split }, grouped, IntsAttribute("perm", 1, 0, 3, 2)));
        var rows = name + "rows3d";
        graph.Initializer.Add(Int64Tensor(name + "rows_shape", new long[] { 3 }, unfold.Groups, -1, features));
        graph.Node.Add(Node("Reshape", name + "rows", new[] { grouped, name + "rows_shape" }, rows));
        return rows;
    }

    /// <summary>[g·d, Cin/g, k...] with a single 1 per output channel: (group, c·K + position) reads channel c at that kernel position.</summary>
    private static global::Onnx.TensorProto IdentityKernel(string name, ConvUnfold unfold, int features)
    {
        var channels = unfold.InputChannelsPerGroup;
        var positions = features / channels;
        var values = new float[checked((long)unfold.Groups * features * features)];
        for (var group = 0; group < unfold.Groups; group++)
        {
            for (var c = 0; c < channels; c++)
            {
                for (var k = 0; k < positions; k++)
                {
                    long output = ((long)group * features) + (c * positions) + k;
                    values[(((output * channels) + c) * positions) + k] = 1f;
                }
            }
        }

        var tensor = new global::Onnx.TensorProto { Name = name, DataType = TensorElementTypes.Float };
        tensor.Dims.Add((long)unfold.Groups * features);
        tensor.Dims.Add(channels);
        tensor.Dims.AddRange(unfold.KernelShape);
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return tensor;
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
}
