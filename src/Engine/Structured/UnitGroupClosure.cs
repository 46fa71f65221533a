using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Structured.Rules;
using Onnx;
using static ModelPrune.Engine.Structured.NodeInfo;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// Grows one <see cref="UnitGroup"/> from a seed layer until every tensor that carries its units is accounted for:
/// each tensor's producer and readers are visited, and each op either says where the units lie in all its inputs
/// and outputs or fails the group with a reason. Nothing is guessed: an op no rule of <see cref="UnitRuleRegistry"/>
/// answers for, a shape that does not match, or a tensor that leaves the graph stops the group, and the report lists why.
/// This class is the walk and the group's bookkeeping; what each op does to the units lives in its rule.
/// </summary>
internal sealed class UnitGroupClosure
{
    private readonly IReadOnlyDictionary<string, long[]> _shapes;
    private readonly Queue<string> _pending = new();

    public UnitGroupClosure(UnitGroup group, GraphIndex index, IReadOnlyDictionary<string, long[]> shapes, long opset)
    {
        Group = group;
        Index = index;
        _shapes = shapes;
        Opset = opset;
    }

    public UnitGroup Group { get; }

    public GraphIndex Index { get; }

    /// <summary>The default domain's opset: some ops (Softmax) changed meaning between versions.</summary>
    public long Opset { get; }

    public void Grow(string seedOutput, int axis)
    {
        Require(seedOutput, new UnitAxis(axis));
        while (_pending.Count > 0 && !Group.Failed)
        {
            Expand(_pending.Dequeue());
        }

        if (!Group.Failed) Validate();
    }

    public void Fail(string reason) => Group.Fail(reason);

    /// <summary>Puts <paramref name="name"/> in the group with the units on <paramref name="units"/>; a tensor already there must agree.</summary>
    public void Require(string name, UnitAxis units)
    {
        if (Group.Failed) return;
        if (Group.Tensors.TryGetValue(name, out var existing))
        {
            if (existing != units) Fail($"'{name}' would carry the units on its {existing} and on its {units}");
            return;
        }

        Group.Tensors[name] = units;
        _pending.Enqueue(name);
    }

    /// <summary>Where the units lie in <paramref name="tensor"/>, or null while it is not (yet) in the group.</summary>
    public UnitAxis? View(string tensor) => Group.Tensors.TryGetValue(tensor, out var view) ? view : null;

    /// <summary>The tensor's shape from the probe (or the constant); an unknown one fails the group.</summary>
    public long[] Shape(string tensor)
    {
        if (_shapes.TryGetValue(tensor, out var shape)) return shape;
        if (Index.Constant(tensor) is { } constant) return constant.Dims.ToArray();
        Fail($"the shape of '{tensor}' is not known");
        return Array.Empty<long>();
    }

    public int Rank(string tensor) => Shape(tensor).Length;

    /// <summary>Ops with optional extra outputs (BatchNorm's running statistics, Dropout's mask) are followed on the first only.</summary>
    public bool OnlyFirstOutputUsed(NodeProto node)
    {
        foreach (var output in node.Output.Skip(1).Where(o => o.Length > 0))
        {
            if (Index.Consumers(output).Count > 0 || Index.Outputs.Contains(output))
            {
                Fail($"{Describe(node)} has a second output ('{output}') in use");
                return false;
            }
        }

        return true;
    }

    /// <summary>A layer whose weight makes the units: it loses the units' slice of that weight.</summary>
    public void AddProducer(NodeProto node, int weightInput, UnitAxis weightAxis)
    {
        if (weightAxis.IsSegment)
        {
            Fail($"{Describe(node)} produces more channels than the part of a Concat that holds the units");
            return;
        }

        Group.Producers.Add(node);
        Group.Slices.Add(new ParameterSlice(node, weightInput, weightAxis, SliceRole.ProducerWeight));
    }

    public void AddBias(NodeProto node, int biasInput, UnitAxis units)
    {
        if (node.Input.Count <= biasInput || node.Input[biasInput].Length == 0) return;
        if (!Index.IsConstant(node.Input[biasInput]))
        {
            Fail($"{Describe(node)} has a bias computed at run time");
            return;
        }

        Group.Slices.Add(new ParameterSlice(node, biasInput, units, SliceRole.PerChannelConstant));
    }

    /// <summary>A layer that reads the units as input channels: its weight loses them, and its input is what FLAP measures.</summary>
    public void AddConsumer(NodeProto node, string activation, UnitAxis units, int weightInput, UnitAxis weightAxis, int weightInputAxis)
    {
        var slice = new ParameterSlice(node, weightInput, weightAxis, SliceRole.ConsumerWeight);
        Group.Slices.Add(slice);
        Group.Consumers.Add(new UnitConsumer(node, activation, units, slice, weightInputAxis));
    }

    private void Expand(string tensor)
    {
        // The producer first, so that even a group that fails at once names the layer it started from.
        var producer = Index.Producer(tensor);
        if (producer is not null) Visit(producer);
        if (Index.Outputs.Contains(tensor))
        {
            Fail($"the units reach the graph output '{tensor}', whose shape must not change");
            return;
        }

        if (Index.ReadBySubgraph.TryGetValue(tensor, out var owner))
        {
            Fail($"'{tensor}' is read inside a subgraph of {Describe(owner)}");
            return;
        }

        if (producer is null)
        {
            Fail(Index.Inputs.Contains(tensor) ? $"the units come from the graph input '{tensor}', whose shape must not change" : $"nothing produces '{tensor}'");
            return;
        }

        foreach (var (node, _) in Index.Consumers(tensor)) Visit(node);
    }

    private void Visit(NodeProto node)
    {
        if (Group.Failed || !Group.Nodes.Add(node)) return;
        if (!OnnxTensorWalker.IsDefaultDomain(node.Domain))
        {
            Fail($"{Describe(node)} is a {node.Domain}.{node.OpType} op, which the analysis does not know");
            return;
        }

        if (UnitRuleRegistry.Default.Find(node.OpType) is { } rule)
        {
            rule.Propagate(node, this);
        }
        else
        {
            Fail($"{Describe(node)} ({node.OpType}) is not known to keep the units apart");
        }
    }

    /// <summary>Sizes, weight sharing and shape entries, checked once the group is complete and its head width known.</summary>
    private void Validate()
    {
        if (!EveryNodeSeenFromItsSide()) return;

        var dims = Group.Tensors.Select(t => (Name: $"'{t.Key}'", Dims: Shape(t.Key), Units: t.Value))
            .Concat(Group.Slices.Select(s => (Name: $"the constant '{s.ValueName}' of {Describe(s.Node)}", Dims: Index.Constant(s.ValueName)!.Dims.ToArray(), s.Units)))
            .ToArray();
        var outOfRange = dims.FirstOrDefault(d => d.Units.Axis >= d.Dims.Length || d.Units.Offset + d.Units.LengthIn(d.Dims[d.Units.Axis]) > d.Dims[d.Units.Axis]);
        if (outOfRange.Name is not null)
        {
            Fail($"{outOfRange.Name} has no {outOfRange.Units}");
            return;
        }

        // Every tensor must split into the same number of equal runs, one per unit.
        var units = dims.Select(d => d.Units.RepeatLength(d.Dims[d.Units.Axis])).Aggregate(0L, GreatestCommonDivisor);
        Group.Units = units;
        if (units < 2)
        {
            Fail("the layer has a single unit");
            return;
        }

        foreach (var slice in Group.Slices.Where(s => s.Role != SliceRole.PerChannelConstant))
        {
            if (SharedOutside(Index.Constant(slice.ValueName)!, slice) is { } other)
            {
                Fail($"the weight '{slice.ValueName}' is also read by {Describe(other)}");
                return;
            }
        }

        foreach (var edit in Group.ShapeEdits.Where(e => e.Value % units != 0))
        {
            Fail($"{Describe(edit.Node)} spells a size of {edit.Value}, which {units} units do not divide");
            return;
        }

        foreach (var node in Group.GroupCountEdits.Where(n => IntAttribute(n, "group", 1) % units != 0))
        {
            Fail($"{Describe(node)} has group={IntAttribute(node, "group", 1)}, which {units} units do not divide");
            return;
        }
    }

    /// <summary>
    /// A node is visited once, from the first of its tensors that joined the group. The layers and the Concat decide their
    /// role by that side; if their other side joined later (x + W·x: W's input and output are the same units), the
    /// group is unsafe, and this says so instead of cutting one side only.
    /// </summary>
    private bool EveryNodeSeenFromItsSide()
    {
        foreach (var node in Group.Nodes)
        {
            var (input, output) = (node.Input.Count > 0 ? View(node.Input[0]) : null, node.Output.Count > 0 ? View(node.Output[0]) : null);
            var weightLayer = node.OpType is "MatMul" or "Gemm" or "Conv" or "ConvTranspose" && node.Input.Count > 1 && Index.IsConstant(node.Input[1]);
            if (weightLayer && !Group.GroupCountEdits.Contains(node))
            {
                var producer = Group.Producers.Contains(node);
                var consumer = Group.Consumers.Any(c => ReferenceEquals(c.Node, node));
                if ((input is not null && output is not null) || (output is not null && !producer) || (input is not null && !consumer))
                {
                    Fail($"{Describe(node)} reads and writes the same units");
                    return false;
                }
            }

            if (node.OpType == "Concat" && output is { } joined && node.Input.Count(i => View(i) is { } v && v.Axis == joined.Axis && joined.IsSegment) > 1)
            {
                Fail($"{Describe(node)} concatenates the units with themselves");
                return false;
            }
        }

        return true;
    }

    private NodeProto? SharedOutside(TensorProto tensor, ParameterSlice slice)
    {
        if (Index.ReadBySubgraph.TryGetValue(slice.ValueName, out var owner)) return owner;
        if (Index.Outputs.Any(o => ReferenceEquals(Index.Constant(o), tensor))) return Index.Producer(slice.ValueName) ?? slice.Node;
        return Index.Readers(tensor).Select(r => r.Node).FirstOrDefault(n => !ReferenceEquals(n, slice.Node));
    }

    private static long GreatestCommonDivisor(long a, long b) => b == 0 ? a : GreatestCommonDivisor(b, a % b);
}
