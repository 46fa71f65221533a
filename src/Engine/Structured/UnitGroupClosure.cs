using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// Grows one <see cref="UnitGroup"/> from a seed layer until every tensor that carries its units is accounted for:
/// each tensor's producer and readers are visited, and each op either says where the units lie in all its inputs
/// and outputs or fails the group with a reason. Nothing is guessed: an op this class does not know, a shape that
/// does not match, or a tensor that leaves the graph stops the group, and the report lists why.
/// </summary>
internal sealed class UnitGroupClosure
{
    private static readonly HashSet<string> ElementwiseOps = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "PRelu", "Where",
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Erf", "Gelu", "Elu", "Selu", "Celu", "Softplus", "Softsign",
        "HardSigmoid", "HardSwish", "Mish", "ThresholdedRelu", "Neg", "Abs", "Sqrt", "Exp", "Log", "Reciprocal",
        "Clip", "Cast", "Identity", "Dropout", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos",
    };

    private static readonly HashSet<string> PoolOps = new(StringComparer.Ordinal)
    {
        "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "MaxPool", "AveragePool", "LpPool",
    };

    private static readonly HashSet<string> ReduceOps = new(StringComparer.Ordinal)
    {
        "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
    };

    private readonly UnitGroup _group;
    private readonly GraphIndex _index;
    private readonly IReadOnlyDictionary<string, long[]> _shapes;
    private readonly long _opset;
    private readonly Queue<string> _pending = new();

    public UnitGroupClosure(UnitGroup group, GraphIndex index, IReadOnlyDictionary<string, long[]> shapes, long opset)
    {
        _group = group;
        _index = index;
        _shapes = shapes;
        _opset = opset;
    }

    public void Grow(string seedOutput, int axis)
    {
        Require(seedOutput, new UnitAxis(axis));
        while (_pending.Count > 0 && !_group.Failed)
        {
            Expand(_pending.Dequeue());
        }

        if (!_group.Failed) Validate();
    }

    private void Fail(string reason) => _group.Fail(reason);

    private void Require(string name, UnitAxis units)
    {
        if (_group.Failed) return;
        if (_group.Tensors.TryGetValue(name, out var existing))
        {
            if (existing != units) Fail($"'{name}' would carry the units on its {existing} and on its {units}");
            return;
        }

        _group.Tensors[name] = units;
        _pending.Enqueue(name);
    }

    private void Expand(string tensor)
    {
        // The producer first, so that even a group that fails at once names the layer it started from.
        var producer = _index.Producer(tensor);
        if (producer is not null) Visit(producer);
        if (_index.Outputs.Contains(tensor))
        {
            Fail($"the units reach the graph output '{tensor}', whose shape must not change");
            return;
        }

        if (_index.ReadBySubgraph.TryGetValue(tensor, out var owner))
        {
            Fail($"'{tensor}' is read inside a subgraph of {Describe(owner)}");
            return;
        }

        if (producer is null)
        {
            Fail(_index.Inputs.Contains(tensor) ? $"the units come from the graph input '{tensor}', whose shape must not change" : $"nothing produces '{tensor}'");
            return;
        }

        foreach (var (node, _) in _index.Consumers(tensor)) Visit(node);
    }

    private void Visit(NodeProto node)
    {
        if (_group.Failed || !_group.Nodes.Add(node)) return;
        if (!OnnxTensorWalker.IsDefaultDomain(node.Domain))
        {
            Fail($"{Describe(node)} is a {node.Domain}.{node.OpType} op, which the analysis does not know");
            return;
        }

        switch (node.OpType)
        {
            case "MatMul": VisitMatMul(node); break;
            case "Gemm": VisitGemm(node); break;
            case "Conv": VisitConv(node); break;
            case "ConvTranspose": VisitConvTranspose(node); break;
            case "BatchNormalization" or "InstanceNormalization": VisitPerChannelNormalization(node); break;
            case "LayerNormalization": VisitLayerNormalization(node); break;
            case "Softmax" or "LogSoftmax" or "Hardmax": VisitSoftmax(node); break;
            case "Transpose": VisitTranspose(node); break;
            case "Reshape" or "Flatten" or "Squeeze" or "Unsqueeze": VisitReshape(node); break;
            case "Concat": VisitConcat(node); break;
            case "Expand": VisitExpand(node); break;
            case "Split": VisitSplit(node); break;
            case "Resize" or "Upsample": VisitResize(node); break;
            case "Shape": VisitShape(node); break;
            case var op when ElementwiseOps.Contains(op): VisitElementwise(node); break;
            case var op when PoolOps.Contains(op): VisitChannelsFirst(node, "pools each channel on its own"); break;
            case var op when ReduceOps.Contains(op): VisitReduce(node); break;
            default:
                Fail($"{Describe(node)} ({node.OpType}) is not known to keep the units apart");
                break;
        }
    }

    private void VisitMatMul(NodeProto node)
    {
        var (a, b, y) = (node.Input[0], node.Input[1], node.Output[0]);
        var (aConstant, bConstant) = (_index.IsConstant(a), _index.IsConstant(b));
        if (bConstant && !aConstant)
        {
            var W = _index.Constant(b)!;
            if (W.Dims.Count != 2)
            {
                Fail($"{Describe(node)} multiplies by a weight of rank {W.Dims.Count}");
                return;
            }

            if (View(y) is { } output)
            {
                if (output.Axis != Rank(y) - 1 || View(a) is not null)
                {
                    Fail($"{Describe(node)} does not produce the units on its output's last axis");
                    return;
                }

                AddProducer(node, 1, output with { Axis = 1 });
            }
            else if (View(a) is { } input && input.Axis == Rank(a) - 1)
            {
                AddConsumer(node, a, input, 1, input with { Axis = 0 }, 0);
            }
            else
            {
                Fail($"{Describe(node)} reads the units on an axis it does not contract");
            }

            return;
        }

        if (aConstant || bConstant)
        {
            Fail($"{Describe(node)} has its weight as the first operand");
            return;
        }

        // Two activations: attention's Q·Kᵀ and P·V. Heads must sit on a batch axis of all three, counted from the end.
        var known = new[] { a, b, y }.Select(t => (Tensor: t, View: View(t))).FirstOrDefault(t => t.View is not null);
        var fromEnd = known.View!.Value.Axis - Rank(known.Tensor);
        if (fromEnd > -3 || known.View.Value.IsSegment)
        {
            Fail($"{Describe(node)} multiplies two activations over the units' axis");
            return;
        }

        foreach (var tensor in new[] { a, b, y })
        {
            var axis = Rank(tensor) + fromEnd;
            if (axis < 0)
            {
                Fail($"{Describe(node)} broadcasts '{tensor}' across the heads");
                return;
            }

            Require(tensor, known.View.Value with { Axis = axis });
        }
    }

    private void VisitGemm(NodeProto node)
    {
        var (a, b, y) = (node.Input[0], node.Input[1], node.Output[0]);
        var transA = IntAttribute(node, "transA", 0);
        var transB = IntAttribute(node, "transB", 0);
        if (!_index.IsConstant(b) || _index.IsConstant(a) || transA != 0)
        {
            Fail($"{Describe(node)} is a Gemm without a constant second operand (or with transA=1)");
            return;
        }

        var W = _index.Constant(b)!;
        if (View(y) is { } output)
        {
            if (output.Axis != 1 || View(a) is not null)
            {
                Fail($"{Describe(node)} does not produce the units as its output columns");
                return;
            }

            var outputs = W.Dims[transB == 0 ? 1 : 0];
            AddProducer(node, 1, output with { Axis = transB == 0 ? 1 : 0 });
            if (node.Input.Count > 2 && node.Input[2].Length > 0)
            {
                var c = node.Input[2];
                var shape = Shape(c);
                if (!_index.IsConstant(c) || shape.Length > 2 || (shape.Length == 2 && shape[0] != 1))
                {
                    Fail($"{Describe(node)} adds a C operand that is not a constant row");
                    return;
                }

                if (shape.Length > 0 && shape[^1] == outputs && outputs > 1)
                {
                    _group.Slices.Add(new ParameterSlice(node, 2, new UnitAxis(shape.Length - 1), SliceRole.PerChannelConstant));
                }
            }
        }
        else if (View(a) is { } input && input.Axis == 1)
        {
            AddConsumer(node, a, input, 1, input with { Axis = transB == 0 ? 0 : 1 }, transB == 0 ? 0 : 1);
        }
        else
        {
            Fail($"{Describe(node)} reads the units on an axis it does not contract");
        }
    }

    private void VisitConv(NodeProto node)
    {
        var (x, w, y) = (node.Input[0], node.Input[1], node.Output[0]);
        var W = _index.Constant(w);
        if (W is null)
        {
            Fail($"{Describe(node)} has a weight computed at run time");
            return;
        }

        var groups = IntAttribute(node, "group", 1);
        var (inputView, outputView) = (View(x), View(y));
        if (inputView is { } iv && iv.Axis != 1 || outputView is { } ov && ov.Axis != 1)
        {
            Fail($"{Describe(node)} sees the units off its channel axis");
            return;
        }

        var channels = (inputView ?? outputView)!.Value;
        if (groups == 1)
        {
            if (outputView is not null && inputView is null)
            {
                AddProducer(node, 1, channels with { Axis = 0 });
                AddBias(node, 2, channels with { Axis = 0 });
            }
            else if (inputView is { } input && outputView is null)
            {
                AddConsumer(node, x, input, 1, input, 1);
            }
            else
            {
                Fail($"{Describe(node)} would read and write the same units");
            }

            return;
        }

        // Depthwise (one filter per channel): the units pass through and the filter count follows them.
        if (W.Dims.Count >= 2 && W.Dims[1] == 1 && groups == W.Dims[0])
        {
            Require(x, channels);
            Require(y, channels);
            _group.Slices.Add(new ParameterSlice(node, 1, channels with { Axis = 0 }, SliceRole.DepthwiseWeight));
            AddBias(node, 2, channels with { Axis = 0 });
            _group.GroupCountEdits.Add(node);
            return;
        }

        Fail($"{Describe(node)} is a grouped Conv (group={groups}) whose groups mix channels");
    }

    /// <summary>ConvTranspose stores W as [Cin, Cout/group, k...]: its filters are axis 1, its input channels axis 0.</summary>
    private void VisitConvTranspose(NodeProto node)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var (inputView, outputView) = (View(x), View(y));
        if (_index.Constant(node.Input[1]) is null || IntAttribute(node, "group", 1) != 1)
        {
            Fail($"{Describe(node)} is a ConvTranspose with a weight computed at run time or group > 1");
            return;
        }

        if (inputView is { } iv && iv.Axis != 1 || outputView is { } ov && ov.Axis != 1)
        {
            Fail($"{Describe(node)} sees the units off its channel axis");
            return;
        }

        if (outputView is { } output && inputView is null)
        {
            AddProducer(node, 1, output with { Axis = 1 });
            AddBias(node, 2, output with { Axis = 0 });
        }
        else if (inputView is { } input && outputView is null)
        {
            AddConsumer(node, x, input, 1, input with { Axis = 0 }, 0);
        }
        else
        {
            Fail($"{Describe(node)} would read and write the same units");
        }
    }

    private void VisitPerChannelNormalization(NodeProto node)
    {
        if (!OnlyFirstOutputUsed(node)) return;
        var channels = (View(node.Input[0]) ?? View(node.Output[0]))!.Value;
        if (channels.Axis != 1 || View(node.Input[0]) is { } iv && iv != channels || View(node.Output[0]) is { } ov && ov != channels)
        {
            Fail($"{Describe(node)} normalises per channel on axis 1, not on the units' axis");
            return;
        }

        Require(node.Input[0], channels);
        Require(node.Output[0], channels);
        for (var i = 1; i < node.Input.Count; i++)
        {
            if (!_index.IsConstant(node.Input[i]))
            {
                Fail($"{Describe(node)} has a parameter computed at run time");
                return;
            }

            _group.Slices.Add(new ParameterSlice(node, i, channels with { Axis = 0 }, SliceRole.PerChannelConstant));
        }
    }

    private void VisitElementwise(NodeProto node)
    {
        if (!OnlyFirstOutputUsed(node)) return;
        var y = node.Output[0];
        var known = new[] { y }.Concat(node.Input.Where(i => i.Length > 0)).Select(t => (Tensor: t, View: View(t))).First(t => t.View is not null);
        var fromEnd = known.View!.Value.Axis - Rank(known.Tensor);

        // Broadcasting aligns shapes from the end, so the units' axis counted from the end is the same in every operand.
        for (var i = 0; i < node.Input.Count; i++)
        {
            var input = node.Input[i];
            if (input.Length == 0) continue;
            if (node.OpType is "Clip" or "Dropout" && i > 0) continue;
            var shape = Shape(input);
            var axis = shape.Length + fromEnd;
            var units = known.View.Value with { Axis = axis };
            if (View(input) is { } view)
            {
                if (view != units) Fail($"{Describe(node)} combines the units on different axes");
                continue;
            }

            if (axis < 0 || shape[axis] == 1) continue;
            if (_index.IsConstant(input))
            {
                _group.Slices.Add(new ParameterSlice(node, i, units, SliceRole.PerChannelConstant));
            }
            else if (units.IsSegment)
            {
                Fail($"{Describe(node)} combines the part of a Concat that holds the units with another activation");
            }
            else
            {
                // A gate, a residual branch or the other half of x·erf(x): it carries the same units.
                Require(input, units);
            }
        }

        Require(y, known.View.Value with { Axis = Rank(y) + fromEnd });
    }

    /// <summary>LayerNormalization normalises over the axes from "axis" on: fine for units before them, never across them.</summary>
    private void VisitLayerNormalization(NodeProto node)
    {
        if (!OnlyFirstOutputUsed(node)) return;
        var (x, y) = (node.Input[0], node.Output[0]);
        var units = (View(x) ?? View(y))!.Value;
        if (units.Axis >= Normalize(IntAttribute(node, "axis", -1), Rank(x)))
        {
            Fail($"{Describe(node)} (LayerNormalization) normalises across the units");
            return;
        }

        Require(x, units);
        Require(y, units);
    }

    private void VisitSoftmax(NodeProto node)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var units = View(x) ?? View(y)!.Value;
        var rank = Rank(x);
        var axis = Normalize(IntAttribute(node, "axis", _opset >= 13 ? -1 : 1), rank);
        // Before opset 13 the op flattens every axis from "axis" on into one.
        if (units.Axis == axis || (_opset < 13 && units.Axis > axis))
        {
            Fail($"{Describe(node)} normalises across the units");
            return;
        }

        Require(x, units);
        Require(y, units);
    }

    private void VisitTranspose(NodeProto node)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var rank = Rank(x);
        var perm = node.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints.Select(p => (int)p).ToArray()
            ?? Enumerable.Range(0, rank).Reverse().ToArray();
        if (View(x) is { } input)
        {
            Require(y, input with { Axis = Array.IndexOf(perm, input.Axis) });
        }
        else
        {
            var output = View(y)!.Value;
            Require(x, output with { Axis = perm[output.Axis] });
        }
    }

    private void VisitReshape(NodeProto node)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var (shapeX, shapeY) = (Shape(x), Shape(y));
        UnitAxis inputUnits, outputUnits;
        bool regrouped;
        if (View(x) is { } input)
        {
            if (ReshapeMapping.Map(shapeX, input.Axis, shapeY) is not { } mapped)
            {
                Fail($"{Describe(node)} ({node.OpType}) mixes the units' axis with other axes");
                return;
            }

            (inputUnits, outputUnits, regrouped) = (input, input with { Axis = mapped.Axis }, mapped.Regrouped);
        }
        else
        {
            var output = View(y)!.Value;
            if (ReshapeMapping.Map(shapeY, output.Axis, shapeX) is not { } mapped)
            {
                Fail($"{Describe(node)} ({node.OpType}) mixes the units' axis with other axes");
                return;
            }

            (inputUnits, outputUnits, regrouped) = (output with { Axis = mapped.Axis }, output, mapped.Regrouped);
        }

        if (regrouped && inputUnits.IsSegment)
        {
            Fail($"{Describe(node)} splits the part of a Concat that holds the units");
            return;
        }

        _group.HasHeads |= regrouped;
        Require(x, inputUnits);
        Require(y, outputUnits);
        if (node.OpType == "Reshape" && !_group.Failed) RecordShapeEdit(node, inputUnits, outputUnits, shapeX, shapeY);
    }

    /// <summary>The shape input's entry at the units' axis must follow the units: a literal size is rewritten, 0 and -1 adapt.</summary>
    private void RecordShapeEdit(NodeProto node, UnitAxis inputUnits, UnitAxis outputUnits, long[] shapeX, long[] shapeY)
    {
        var entries = ShapeEntries(node);
        if (entries is null || entries.Count != shapeY.Length)
        {
            Fail($"{Describe(node)} takes a shape that is neither a constant nor a Concat of pieces");
            return;
        }

        var b = outputUnits.Axis;
        var entry = entries[b];
        var allowZero = IntAttribute(node, "allowzero", 0) == 1;
        if (entry.Value == -1 || (entry.Value == 0 && !allowZero && inputUnits.Axis == b && shapeX[b] == shapeY[b]))
        {
            // Inferred, or copied from the (pruned) input: nothing to rewrite.
        }
        else if (entry.Value == shapeY[b] && entry.Node is not null && !outputUnits.IsSegment)
        {
            _group.ShapeEdits.Add(new ShapeEdit(entry.Node, entry.InputIndex, entry.Element, entry.Value.Value));
        }
        else
        {
            Fail($"{Describe(node)} computes its shape's entry for the units' axis at run time");
            return;
        }

        // A head split keeps the head width; a width computed at run time would follow the pruned size instead.
        if (shapeY[b] < shapeX[inputUnits.Axis] && (b + 1 >= entries.Count || entries[b + 1].Value is null))
        {
            Fail($"{Describe(node)} computes the head width at run time");
        }
    }

    /// <summary>The entries of a shape operand: constant values with where they are stored, null for pieces computed at run time.</summary>
    private List<(long? Value, NodeProto? Node, int InputIndex, int Element)>? ShapeEntries(NodeProto reshape)
    {
        var shape = reshape.Input[1];
        if (_index.Constant(shape) is { } constant)
        {
            return ShapeConstants.Read(constant)?.Select((v, i) => ((long?)v, (NodeProto?)reshape, 1, i)).ToList();
        }

        var concat = _index.Producer(shape);
        if (concat is null || concat.OpType != "Concat") return null;
        var entries = new List<(long?, NodeProto?, int, int)>();
        for (var i = 0; i < concat.Input.Count; i++)
        {
            var piece = concat.Input[i];
            if (_index.Constant(piece) is { } values && ShapeConstants.Read(values) is { } read)
            {
                entries.AddRange(read.Select((v, e) => ((long?)v, (NodeProto?)concat, i, e)));
            }
            else
            {
                var length = Shape(piece) is { Length: 1 } dims ? dims[0] : 1;
                for (var e = 0; e < length; e++) entries.Add((null, null, i, e));
            }
        }

        return entries;
    }

    /// <summary>
    /// Expand repeats along axes of size 1 (repeat_kv of grouped-query attention); the units' axis must not be one of
    /// them, and the shape's entry for it must be 1 (keep) or the units' size, which is rewritten.
    /// </summary>
    private void VisitExpand(NodeProto node)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var (shapeX, shapeY) = (Shape(x), Shape(y));
        var offset = shapeY.Length - shapeX.Length;
        var known = (View(y) ?? View(x))!.Value;
        var axis = View(y)?.Axis ?? known.Axis + offset;
        if (axis - offset < 0 || shapeX[axis - offset] != shapeY[axis])
        {
            Fail($"{Describe(node)} (Expand) repeats the units' axis");
            return;
        }

        Require(x, known with { Axis = axis - offset });
        Require(y, known with { Axis = axis });
        if (_group.Failed) return;
        var entries = ShapeEntries(node);
        var entry = entries is not null && entries.Count == shapeY.Length ? entries[axis] : default;
        if (entry.Value == 1) return;
        if (entry.Value == shapeY[axis] && entry.Node is not null && !known.IsSegment)
        {
            _group.ShapeEdits.Add(new ShapeEdit(entry.Node, entry.InputIndex, entry.Element, entry.Value.Value));
            return;
        }

        Fail($"{Describe(node)} (Expand) computes its shape's entry for the units' axis at run time");
    }

    /// <summary>
    /// Along another axis a Concat keeps the units where they are. Along the units' axis (a CNN joining branches) the
    /// units fill one input's segment of the output: its layers are pruned on their own, and what reads the Concat
    /// loses only that segment's channels.
    /// </summary>
    /// <summary>
    /// Split along another axis keeps the units in every part. Along the units' axis it is a fused Q/K/V (or gate/up)
    /// projection being cut apart: every part holds all the units, so the fused side holds them once per part
    /// (<see cref="UnitAxis.Repeats"/>), and the parts' sizes follow the kept count.
    /// </summary>
    private void VisitSplit(NodeProto node)
    {
        var x = node.Input[0];
        var outputs = node.Output.Where(o => o.Length > 0).ToArray();
        var shape = Shape(x);
        var axis = Normalize(IntAttribute(node, "axis", 0), shape.Length);
        if (View(x) is not { } input)
        {
            Fail($"{Describe(node)} (Split) is reached from one of its parts");
            return;
        }

        if (input.Axis != axis)
        {
            foreach (var output in outputs) Require(output, input);
            return;
        }

        var parts = outputs.Select(o => Shape(o)[axis]).ToArray();
        if (input.IsSegment || input.Repeats != 1 || parts.Distinct().Count() != 1 || parts.Length < 2)
        {
            Fail($"{Describe(node)} splits the units' axis into parts that are not the same units");
            return;
        }

        // Everything met so far is the fused side: it holds the units once per part.
        var dim = shape[axis];
        if (_group.Tensors.Any(t => Shape(t.Key)[t.Value.Axis] != dim || t.Value.IsSegment)
            || _group.Slices.Any(s => _index.Constant(s.ValueName)!.Dims[s.Units.Axis] != dim || s.Units.IsSegment))
        {
            Fail($"{Describe(node)} splits a fused projection whose channels also meet other tensors");
            return;
        }

        foreach (var name in _group.Tensors.Keys.ToArray()) _group.Tensors[name] = _group.Tensors[name] with { Repeats = parts.Length };
        for (var i = 0; i < _group.Slices.Count; i++) _group.Slices[i] = _group.Slices[i] with { Units = _group.Slices[i].Units with { Repeats = parts.Length } };
        foreach (var output in outputs) Require(output, new UnitAxis(axis));

        if (node.Input.Count > 1 && node.Input[1].Length > 0)
        {
            if (_index.Constant(node.Input[1]) is not { } sizes || ShapeConstants.Read(sizes) is not { } values)
            {
                Fail($"{Describe(node)} computes its parts' sizes at run time");
                return;
            }

            for (var e = 0; e < values.Length; e++) _group.ShapeEdits.Add(new ShapeEdit(node, 1, e, values[e]));
        }
        else if (node.Attribute.Any(a => a.Name == "split"))
        {
            _group.SplitAttributeEdits.Add(node);
        }
    }

    /// <summary>Resize scales spatial axes; the units' axis must keep scale 1, and a target given as sizes (which spells the channel count) is not followed.</summary>
    private void VisitResize(NodeProto node)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var units = (View(x) ?? View(y))!.Value;
        var scalesInput = node.OpType == "Upsample" ? 1 : 2;
        var scales = node.Input.Count > scalesInput && node.Input[scalesInput].Length > 0 ? _index.Constant(node.Input[scalesInput]) : null;
        var sizes = node.OpType == "Resize" && node.Input.Count > 3 && node.Input[3].Length > 0;
        var values = scales is null ? null : new WeightTensor(scales.Name, scales).ReadValues();
        if (sizes || values is null || units.Axis >= values.Length || values[units.Axis] != 1f || Shape(x)[units.Axis] != Shape(y)[units.Axis])
        {
            Fail($"{Describe(node)} ({node.OpType}) does not keep the units' axis as it is (a constant scale of 1 there is needed)");
            return;
        }

        Require(x, units);
        Require(y, units);
    }

    private void VisitConcat(NodeProto node)
    {
        var y = node.Output[0];
        var rank = Rank(y);
        var axis = Normalize(IntAttribute(node, "axis", 0), rank);
        var inputs = node.Input.ToArray();
        var starts = new long[inputs.Length];
        for (var i = 1; i < inputs.Length; i++) starts[i] = starts[i - 1] + Shape(inputs[i - 1])[axis];

        var known = View(y) ?? inputs.Select(View).First(v => v is not null)!.Value;
        if (known.Axis != axis)
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                if (_index.IsConstant(inputs[i])) _group.Slices.Add(new ParameterSlice(node, i, known, SliceRole.PerChannelConstant));
                else Require(inputs[i], known);
            }

            Require(y, known);
            return;
        }

        var inGroup = Enumerable.Range(0, inputs.Length).Where(i => View(inputs[i]) is not null).ToArray();
        if (View(y) is { } output)
        {
            // Reached from the output: the segment must lie within one input.
            var length = output.LengthIn(Shape(y)[axis]);
            var source = Enumerable.Range(0, inputs.Length).FirstOrDefault(i => starts[i] <= output.Offset && output.Offset + length <= starts[i] + Shape(inputs[i])[axis], -1);
            if (source < 0 || _index.IsConstant(inputs[source]) || inGroup.Any(i => i != source))
            {
                Fail($"{Describe(node)} concatenates the units across several of its inputs");
                return;
            }

            Require(inputs[source], output with { Offset = output.Offset - starts[source] });
            return;
        }

        if (inGroup.Length != 1)
        {
            Fail($"{Describe(node)} concatenates the units with themselves");
            return;
        }

        var part = inGroup[0];
        var units = View(inputs[part])!.Value;
        Require(y, units with { Offset = starts[part] + units.Offset, Length = units.LengthIn(Shape(inputs[part])[axis]) });
    }

    /// <summary>Shape(x) is fine as long as only other dimensions are read from it (batch and sequence, for a later Reshape).</summary>
    private void VisitShape(NodeProto node)
    {
        var units = View(node.Input[0])!.Value;
        if (node.Attribute.Any(a => a.Name is "start" or "end"))
        {
            Fail($"{Describe(node)} reads a slice of the shape of '{node.Input[0]}'");
            return;
        }

        foreach (var (reader, input) in _index.Consumers(node.Output[0]))
        {
            var index = reader.OpType == "Gather" && input == 0 && reader.Input.Count > 1 ? _index.Constant(reader.Input[1]) : null;
            var read = index is null ? null : ShapeConstants.Read(index);
            if (read is not { Length: 1 } || Normalize(read[0], Rank(node.Input[0])) == units.Axis)
            {
                Fail($"{Describe(node)} reads the units' count of '{node.Input[0]}' at run time");
                return;
            }
        }

        if (_index.Outputs.Contains(node.Output[0])) Fail($"{Describe(node)} makes the shape a graph output");
    }

    private void VisitChannelsFirst(NodeProto node, string why)
    {
        if (!OnlyFirstOutputUsed(node)) return;
        var channels = (View(node.Input[0]) ?? View(node.Output[0]))!.Value;
        if (channels.Axis != 1 || View(node.Input[0]) is { } iv && iv != channels || View(node.Output[0]) is { } ov && ov != channels)
        {
            Fail($"{Describe(node)} {why} on axis 1, not on the units' axis");
            return;
        }

        Require(node.Input[0], channels);
        Require(node.Output[0], channels);
    }

    private void VisitReduce(NodeProto node)
    {
        var (x, y) = (node.Input[0], node.Output[0]);
        var rank = Rank(x);
        var keepDims = IntAttribute(node, "keepdims", 1) == 1;
        var axesValues = node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray()
            ?? (node.Input.Count > 1 && node.Input[1].Length > 0 && _index.Constant(node.Input[1]) is { } constant ? ShapeConstants.Read(constant) : null);
        if (axesValues is null || axesValues.Length == 0)
        {
            Fail($"{Describe(node)} ({node.OpType}) reduces every axis, the units' too");
            return;
        }

        var axes = axesValues.Select(a => Normalize(a, rank)).ToHashSet();
        var kept = Enumerable.Range(0, rank).Where(a => !axes.Contains(a)).ToArray();
        var inputUnits = View(x) ?? View(y)!.Value with { Axis = keepDims ? View(y)!.Value.Axis : kept[View(y)!.Value.Axis] };
        if (axes.Contains(inputUnits.Axis))
        {
            Fail($"{Describe(node)} ({node.OpType}) reduces over the units' axis, as a normalisation across channels (LayerNorm) does");
            return;
        }

        Require(x, inputUnits);
        Require(y, inputUnits with { Axis = keepDims ? inputUnits.Axis : Array.IndexOf(kept, inputUnits.Axis) });
    }

    private void AddProducer(NodeProto node, int weightInput, UnitAxis weightAxis)
    {
        if (weightAxis.IsSegment)
        {
            Fail($"{Describe(node)} produces more channels than the part of a Concat that holds the units");
            return;
        }

        _group.Producers.Add(node);
        _group.Slices.Add(new ParameterSlice(node, weightInput, weightAxis, SliceRole.ProducerWeight));
    }

    private void AddBias(NodeProto node, int biasInput, UnitAxis units)
    {
        if (node.Input.Count <= biasInput || node.Input[biasInput].Length == 0) return;
        if (!_index.IsConstant(node.Input[biasInput]))
        {
            Fail($"{Describe(node)} has a bias computed at run time");
            return;
        }

        _group.Slices.Add(new ParameterSlice(node, biasInput, units, SliceRole.PerChannelConstant));
    }

    private void AddConsumer(NodeProto node, string activation, UnitAxis units, int weightInput, UnitAxis weightAxis, int weightInputAxis)
    {
        var slice = new ParameterSlice(node, weightInput, weightAxis, SliceRole.ConsumerWeight);
        _group.Slices.Add(slice);
        _group.Consumers.Add(new UnitConsumer(node, activation, units, slice, weightInputAxis));
    }

    /// <summary>Sizes, weight sharing and shape entries, checked once the group is complete and its head width known.</summary>
    private void Validate()
    {
        if (!EveryNodeSeenFromItsSide()) return;

        var dims = _group.Tensors.Select(t => (Name: $"'{t.Key}'", Dims: Shape(t.Key), Units: t.Value))
            .Concat(_group.Slices.Select(s => (Name: $"the constant '{s.ValueName}' of {Describe(s.Node)}", Dims: _index.Constant(s.ValueName)!.Dims.ToArray(), s.Units)))
            .ToArray();
        var outOfRange = dims.FirstOrDefault(d => d.Units.Axis >= d.Dims.Length || d.Units.Offset + d.Units.LengthIn(d.Dims[d.Units.Axis]) > d.Dims[d.Units.Axis]);
        if (outOfRange.Name is not null)
        {
            Fail($"{outOfRange.Name} has no {outOfRange.Units}");
            return;
        }

        // Every tensor must split into the same number of equal runs, one per unit.
        var units = dims.Select(d => d.Units.RepeatLength(d.Dims[d.Units.Axis])).Aggregate(0L, GreatestCommonDivisor);
        _group.Units = units;
        if (units < 2)
        {
            Fail("the layer has a single unit");
            return;
        }

        foreach (var slice in _group.Slices.Where(s => s.Role != SliceRole.PerChannelConstant))
        {
            if (SharedOutside(_index.Constant(slice.ValueName)!, slice) is { } other)
            {
                Fail($"the weight '{slice.ValueName}' is also read by {Describe(other)}");
                return;
            }
        }

        foreach (var edit in _group.ShapeEdits.Where(e => e.Value % units != 0))
        {
            Fail($"{Describe(edit.Node)} spells a size of {edit.Value}, which {units} units do not divide");
            return;
        }

        foreach (var node in _group.GroupCountEdits.Where(n => IntAttribute(n, "group", 1) % units != 0))
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
        foreach (var node in _group.Nodes)
        {
            var (input, output) = (node.Input.Count > 0 ? View(node.Input[0]) : null, node.Output.Count > 0 ? View(node.Output[0]) : null);
            var weightLayer = node.OpType is "MatMul" or "Gemm" or "Conv" or "ConvTranspose" && node.Input.Count > 1 && _index.IsConstant(node.Input[1]);
            if (weightLayer && !_group.GroupCountEdits.Contains(node))
            {
                var producer = _group.Producers.Contains(node);
                var consumer = _group.Consumers.Any(c => ReferenceEquals(c.Node, node));
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
        if (_index.ReadBySubgraph.TryGetValue(slice.ValueName, out var owner)) return owner;
        if (_index.Outputs.Any(o => ReferenceEquals(_index.Constant(o), tensor))) return _index.Producer(slice.ValueName) ?? slice.Node;
        return _index.Readers(tensor).Select(r => r.Node).FirstOrDefault(n => !ReferenceEquals(n, slice.Node));
    }

    private bool OnlyFirstOutputUsed(NodeProto node)
    {
        foreach (var output in node.Output.Skip(1).Where(o => o.Length > 0))
        {
            if (_index.Consumers(output).Count > 0 || _index.Outputs.Contains(output))
            {
                Fail($"{Describe(node)} has a second output ('{output}') in use");
                return false;
            }
        }

        return true;
    }

    private static long GreatestCommonDivisor(long a, long b) => b == 0 ? a : GreatestCommonDivisor(b, a % b);

    private UnitAxis? View(string tensor) => _group.Tensors.TryGetValue(tensor, out var view) ? view : null;

    private long[] Shape(string tensor)
    {
        if (_shapes.TryGetValue(tensor, out var shape)) return shape;
        if (_index.Constant(tensor) is { } constant) return constant.Dims.ToArray();
        Fail($"the shape of '{tensor}' is not known");
        return Array.Empty<long>();
    }

    private int Rank(string tensor) => Shape(tensor).Length;

    private static int Normalize(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    internal static long IntAttribute(NodeProto node, string name, long defaultValue) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? defaultValue;

    internal static string Describe(NodeProto node) => string.IsNullOrEmpty(node.Name) ? $"a {node.OpType} node" : $"node '{node.Name}'";
}
