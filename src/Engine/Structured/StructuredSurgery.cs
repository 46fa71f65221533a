using Google.Protobuf;
using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// Rewrites the graph so the removed units are gone: first the bias compensation of every consumer is added (on the
/// dense weights, so each shift is computed in the space it belongs to), then every constant a group owns loses the
/// removed units' slices, Reshape shapes and depthwise group counts follow the kept count, and value_info of the
/// changed tensors is dropped (ONNX Runtime infers it again). A constant that something outside the group also reads
/// gets a copy of its own, so the rest of the graph keeps what it had.
/// </summary>
internal static class StructuredSurgery
{
    private const string Prefix = "__modelprune_";

    /// <param name="plans">Each pruned group with its removed units (ascending).</param>
    /// <param name="biasShifts">Per consumer of a pruned group, the shift δ to add to its bias, in its dense output space.</param>
    public static void Apply(ModelProto model, IReadOnlyList<(UnitGroup Group, int[] Removed)> plans, IReadOnlyList<(UnitGroup Group, UnitConsumer Consumer, double[] Delta)> biasShifts)
    {
        var graph = model.Graph;
        foreach (var (group, consumer, delta) in biasShifts)
        {
            AddBiasShift(graph, plans, group, consumer, delta);
        }

        // Each constant loses, along each axis, the indices of every group that cuts it, in one go: groups sharing a
        // constant (the parts of a Concat meeting in one BatchNorm) name their indices in the dense layout.
        var cuts = new Dictionary<(TensorProto Tensor, int Axis), HashSet<int>>(TensorAxisComparer.Instance);
        foreach (var (group, removed) in plans)
        {
            Mark(graph, group, removed, cuts);
        }

        foreach (var ((tensor, axis), indices) in cuts)
        {
            TensorSlicer.Keep(tensor, axis, Enumerable.Range(0, (int)tensor.Dims[axis]).Where(i => !indices.Contains(i)).ToArray());
        }

        var index = new GraphIndex(graph);
        foreach (var node in plans.SelectMany(p => p.Group.GroupCountEdits).Distinct())
        {
            // A depthwise Conv has as many groups as filters are left.
            node.Attribute.First(a => a.Name == "group").I = index.Constant(node.Input[1])!.Dims[0];
        }
    }

    private static void Mark(GraphProto graph, UnitGroup group, int[] removed, Dictionary<(TensorProto, int), HashSet<int>> cuts)
    {
        var index = new GraphIndex(graph);
        var units = (int)group.Units;
        var kept = units - removed.Distinct().Count();

        foreach (var slices in group.Slices.GroupBy(s => (index.Constant(s.ValueName)!, s.Units), TensorUnitsComparer.Instance))
        {
            var (original, view) = slices.Key;
            var tensor = OwnCopy(graph, index, original, slices.Select(s => (s.Node, s.InputIndex)).ToArray(), group.Index);
            if (!cuts.TryGetValue((tensor, view.Axis), out var indices)) cuts[(tensor, view.Axis)] = indices = new HashSet<int>();
            indices.UnionWith(view.Indices(removed, units, tensor.Dims[view.Axis]));
        }

        foreach (var node in group.SplitAttributeEdits)
        {
            var split = node.Attribute.First(a => a.Name == "split").Ints;
            for (var i = 0; i < split.Count; i++) split[i] = split[i] / units * kept;
        }

        foreach (var edits in group.ShapeEdits.GroupBy(e => (index.Constant(e.Node.Input[e.InputIndex])!, e.Element), TensorElementComparer.Instance))
        {
            var edit = edits.First();
            var tensor = OwnCopy(graph, index, edits.Key.Item1, edits.Select(e => (e.Node, e.InputIndex)).Distinct().ToArray(), group.Index);
            ShapeConstants.Write(tensor, edit.Element, edit.Value / units * kept);
        }

        var changed = group.Tensors.Keys.ToHashSet(StringComparer.Ordinal);
        for (var i = graph.ValueInfo.Count - 1; i >= 0; i--)
        {
            if (changed.Contains(graph.ValueInfo[i].Name)) graph.ValueInfo.RemoveAt(i);
        }
    }

    /// <summary>The tensor itself when only <paramref name="readers"/> read it; otherwise a new initializer that they are pointed at.</summary>
    private static TensorProto OwnCopy(GraphProto graph, GraphIndex index, TensorProto tensor, (NodeProto Node, int Input)[] readers, int group)
    {
        var name = readers[0].Node.Input[readers[0].Input];
        var others = index.Readers(tensor).Any(r => !readers.Contains(r)) || index.ReadBySubgraph.ContainsKey(name) || index.Outputs.Contains(name);
        if (!others) return tensor;

        var copy = tensor.Clone();
        copy.Name = UniqueName(graph, $"{index.ConstantName(name) ?? name}{Prefix}g{group}");
        graph.Initializer.Add(copy);
        foreach (var (node, input) in readers) node.Input[input] = copy.Name;
        return copy;
    }

    /// <summary>
    /// δ goes into the bias right after the consumer: a MatMul's following Add with a constant row, a Gemm's C, a
    /// Conv's bias input; where there is none, one is added (and, when the consumer's own outputs are pruned units of
    /// another group, that group is told to cut it too).
    /// </summary>
    private static void AddBiasShift(GraphProto graph, IReadOnlyList<(UnitGroup Group, int[] Removed)> plans, UnitGroup group, UnitConsumer consumer, double[] delta)
    {
        var index = new GraphIndex(graph);
        var node = consumer.Node;
        var output = node.Output[0];
        var weight = index.Constant(consumer.Weight.ValueName)!;
        var outputGroup = plans.Select(p => p.Group).FirstOrDefault(g => !ReferenceEquals(g, group) && g.Tensors.ContainsKey(output));

        switch (node.OpType)
        {
            case "MatMul":
                var readers = index.Consumers(output);
                if (readers.Count == 1 && readers[0].Node.OpType == "Add" && !index.Outputs.Contains(output))
                {
                    var add = readers[0].Node;
                    var biasInput = 1 - readers[0].Input;
                    if (index.Constant(add.Input[biasInput]) is { } bias && bias.Dims.Count >= 1 && bias.Dims[^1] == delta.Length
                        && bias.Dims.Take(bias.Dims.Count - 1).All(d => d == 1))
                    {
                        Shift(OwnCopy(graph, index, bias, new[] { (add, biasInput) }, group.Index), delta, 1);
                        return;
                    }
                }

                var unbiased = UniqueName(graph, output + Prefix + "unbiased");
                node.Output[0] = unbiased;
                var created = NewBias(graph, weight.DataType, output + Prefix + "bias", delta);
                var addNode = new NodeProto { OpType = "Add", Name = Unique(graph.Node.Select(n => n.Name), (node.Name.Length > 0 ? node.Name : output) + "_bias_compensation") };
                addNode.Input.Add(unbiased);
                addNode.Input.Add(created.Name);
                addNode.Output.Add(output);
                graph.Node.Insert(graph.Node.IndexOf(node) + 1, addNode);
                if (outputGroup is not null)
                {
                    outputGroup.Tensors[unbiased] = outputGroup.Tensors[output];
                    outputGroup.Slices.Add(new ParameterSlice(addNode, 1, new UnitAxis(0), SliceRole.PerChannelConstant));
                }

                return;
            case "Gemm":
                var beta = node.Attribute.FirstOrDefault(a => a.Name == "beta")?.F ?? 1f;
                AddToBiasInput(graph, index, node, 2, weight.DataType, delta, beta == 0 ? 1 : 1.0 / beta, outputGroup, group.Index);
                return;
            case "Conv" or "ConvTranspose":
                AddToBiasInput(graph, index, node, 2, weight.DataType, delta, 1, outputGroup, group.Index);
                return;
        }
    }

    private static void AddToBiasInput(GraphProto graph, GraphIndex index, NodeProto node, int input, int dataType, double[] delta, double scale, UnitGroup? outputGroup, int group)
    {
        if (node.Input.Count > input && node.Input[input].Length > 0 && index.Constant(node.Input[input]) is { } bias && bias.Dims.Count == 1 && bias.Dims[0] == delta.Length)
        {
            Shift(OwnCopy(graph, index, bias, new[] { (node, input) }, group), delta, scale);
            return;
        }

        // No bias, or a broadcast scalar: a full row replaces it, holding the old value plus the shift.
        var start = node.Input.Count > input && node.Input[input].Length > 0 && index.Constant(node.Input[input]) is { } scalar
            ? new WeightTensor(scalar.Name, scalar).ReadValues()
            : Array.Empty<float>();
        if (node.Input.Count > input && node.Input[input].Length > 0 && start.Length != 1) return;
        var values = delta.Select(d => (d * scale) + (start.Length == 1 ? start[0] : 0)).ToArray();
        var created = NewBias(graph, dataType, (node.Name.Length > 0 ? node.Name : node.Output[0]) + Prefix + "bias", values);
        while (node.Input.Count <= input) node.Input.Add(string.Empty);
        node.Input[input] = created.Name;
        outputGroup?.Slices.Add(new ParameterSlice(node, input, new UnitAxis(0), SliceRole.PerChannelConstant));
    }

    private static void Shift(TensorProto bias, double[] delta, double scale)
    {
        var storage = new WeightTensor(bias.Name, bias);
        var values = storage.ReadValues();
        for (var o = 0; o < values.Length; o++) values[o] = (float)(values[o] + (delta[o] * scale));
        storage.WriteValues(values);
    }

    private static TensorProto NewBias(GraphProto graph, int dataType, string name, double[] values)
    {
        var tensor = new TensorProto { Name = UniqueName(graph, name), DataType = dataType };
        tensor.Dims.Add(values.Length);
        tensor.RawData = ByteString.CopyFrom(new byte[values.Length * TensorElementTypes.SizeOf(dataType)]);
        new WeightTensor(tensor.Name, tensor).WriteValues(values.Select(v => (float)v).ToArray());
        graph.Initializer.Add(tensor);
        return tensor;
    }

    /// <summary>A value name no initializer, node output or graph input has.</summary>
    private static string UniqueName(GraphProto graph, string name) =>
        Unique(graph.Initializer.Select(i => i.Name).Concat(graph.Node.SelectMany(n => n.Output)).Concat(graph.Input.Select(i => i.Name)), name);

    private static string Unique(IEnumerable<string> names, string name)
    {
        var taken = names.ToHashSet(StringComparer.Ordinal);
        var candidate = name;
        for (var i = 2; taken.Contains(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    private sealed class TensorUnitsComparer : IEqualityComparer<(TensorProto, UnitAxis)>
    {
        public static readonly TensorUnitsComparer Instance = new();

        public bool Equals((TensorProto, UnitAxis) x, (TensorProto, UnitAxis) y) => ReferenceEquals(x.Item1, y.Item1) && x.Item2 == y.Item2;

        public int GetHashCode((TensorProto, UnitAxis) obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), obj.Item2);
    }

    private sealed class TensorAxisComparer : IEqualityComparer<(TensorProto, int)>
    {
        public static readonly TensorAxisComparer Instance = new();

        public bool Equals((TensorProto, int) x, (TensorProto, int) y) => ReferenceEquals(x.Item1, y.Item1) && x.Item2 == y.Item2;

        public int GetHashCode((TensorProto, int) obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), obj.Item2);
    }

    private sealed class TensorElementComparer : IEqualityComparer<(TensorProto, int)>
    {
        public static readonly TensorElementComparer Instance = new();

        public bool Equals((TensorProto, int) x, (TensorProto, int) y) => ReferenceEquals(x.Item1, y.Item1) && x.Item2 == y.Item2;

        public int GetHashCode((TensorProto, int) obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), obj.Item2);
    }
}
