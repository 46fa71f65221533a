using ModelPrune.Engine.Common;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Structured;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Structured;

/// <summary>
/// The graph analysis and surgery on one fixture per pattern. The strongest check there is: units whose producing
/// weights and per-channel constants are exactly zero contribute nothing, so removing them must leave every output
/// as it was, while a wrong index, a forgotten BatchNorm parameter or an unedited Reshape shape would not.
/// </summary>
public sealed class StructuredSurgeryTests
{
    public static TheoryData<string> Patterns => new() { "mlp", "gemm_mlp", "glu", "mha_static", "mha_dynamic", "gqa", "fused_qkv", "cnn_bn", "residual", "concat", "depthwise", "inverted_residual", "upsampling" };

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Removing_units_that_are_exactly_zero_leaves_every_output_unchanged(string pattern)
    {
        var model = Fixture(pattern);
        var groups = Analyse(model);
        var pruned = groups.Where(g => !g.Failed).ToArray();
        Assert.NotEmpty(pruned);

        // Two units per group (the second and the last), zeroed on the producing side, then removed.
        var plans = pruned.Select(g => (Group: g, Removed: new[] { 1, (int)g.Units - 1 }.Distinct().ToArray())).ToArray();
        var index = new GraphIndex(model.Graph);
        foreach (var (group, removed) in plans) ZeroUnits(group, removed, index);
        var before = ModelRunner.Run(model);
        var parametersBefore = ModelParameterCounter.CountFloatParameters(model).Parameters;

        StructuredSurgery.Apply(model, plans, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        var after = ModelRunner.Run(model);
        Assert.True(ModelRunner.MaxAbsDifference(before, after) < 1e-4, $"{pattern}: outputs moved by {ModelRunner.MaxAbsDifference(before, after)}");
        Assert.True(ModelParameterCounter.CountFloatParameters(model).Parameters < parametersBefore);
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Removing_units_that_are_not_zero_changes_the_outputs_so_the_check_above_can_fail(string pattern)
    {
        var model = Fixture(pattern);
        var plans = Analyse(model).Where(g => !g.Failed).Select(g => (Group: g, Removed: new[] { 0 })).ToArray();
        var before = ModelRunner.Run(model);

        StructuredSurgery.Apply(model, plans, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.True(ModelRunner.MaxAbsDifference(before, ModelRunner.Run(model)) > 1e-4);
    }

    [Fact]
    public void The_mlp_loses_hidden_units_from_both_weights_and_the_bias()
    {
        var model = StructuredFixtures.Mlp();
        var group = Assert.Single(Analyse(model), g => !g.Failed);
        Assert.Equal(UnitStructure.Neurons, group.Kind);
        Assert.Equal(32, group.Units);

        StructuredSurgery.Apply(model, new[] { (group, new[] { 0, 5, 9 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.Equal(new long[] { 16, 29 }, Initializer(model, "fc1.weight").Dims);
        Assert.Equal(new long[] { 29 }, Initializer(model, "fc1.bias").Dims);
        Assert.Equal(new long[] { 29, 8 }, Initializer(model, "fc2.weight").Dims);
        Assert.Equal(new long[] { 8 }, Initializer(model, "fc2.bias").Dims);
    }

    [Fact]
    public void The_glu_gate_and_up_projections_are_one_group()
    {
        var group = Assert.Single(Analyse(StructuredFixtures.GluMlp()), g => !g.Failed);
        Assert.Equal(2, group.Producers.Count);
        Assert.Single(group.Consumers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Attention_heads_are_removed_with_their_reshape_constants(bool dynamicShapes)
    {
        var model = StructuredFixtures.MultiHeadAttention(dynamicShapes);
        var groups = Analyse(model);
        var heads = Assert.Single(groups, g => g.Kind == UnitStructure.Heads);
        Assert.False(heads.Failed, heads.Failure);
        Assert.Equal(4, heads.Units);
        Assert.True(heads.HasHeads);
        Assert.Equal(3, heads.Producers.Count);
        Assert.Single(heads.Consumers);

        // The output projection writes into a residual sum with the graph input: never safe to prune.
        var output = Assert.Single(groups, g => g.Failed);
        Assert.Contains("graph input 'x'", output.Failure);

        StructuredSurgery.Apply(model, new[] { (heads, new[] { 1, 2 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        var shapes = model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int64).Select(ShapeConstants.Read).ToArray();
        // Every head count (4) became 2 and every hidden size (32) became 16; the head width (8) stayed.
        Assert.DoesNotContain(shapes, s => s!.Contains(4) || s.Contains(32));
        Assert.Contains(shapes, s => s!.Contains(2));
        Assert.Contains(shapes, s => s!.Contains(16));
        Assert.Contains(shapes, s => s!.Contains(8));
        var run = ModelRunner.Run(model);
        Assert.Equal(new long[] { 2, 5, 32 }, run["y"].Shape);
    }

    [Fact]
    public void Grouped_query_attention_removes_a_kv_head_together_with_the_query_heads_it_serves()
    {
        var model = StructuredFixtures.GroupedQueryAttention();
        var heads = Assert.Single(Analyse(model), g => g.Kind == UnitStructure.Heads);
        Assert.False(heads.Failed, heads.Failure);
        Assert.Equal(2, heads.Units);

        StructuredSurgery.Apply(model, new[] { (heads, new[] { 0 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.Equal(new long[] { 32, 16 }, Initializer(model, "q.weight").Dims);
        Assert.Equal(new long[] { 32, 8 }, Initializer(model, "k.weight").Dims);
        Assert.Equal(new long[] { 32, 8 }, Initializer(model, "v.weight").Dims);
        Assert.Equal(new long[] { 16, 32 }, Initializer(model, "o.weight").Dims);
        Assert.Equal(new long[] { 0, 0, 2, 8 }, ShapeConstants.Read(Initializer(model, "q.reshape_shape")));
        Assert.Equal(new long[] { 0, 0, 1, 8 }, ShapeConstants.Read(Initializer(model, "k.reshape_shape")));
        Assert.Equal(new long[] { 0, 2, -1, 8 }, ShapeConstants.Read(Initializer(model, "k.repeat_shape")));
        Assert.Equal(new long[] { 2, 5, 32 }, ModelRunner.Run(model)["y"].Shape);
    }

    [Fact]
    public void A_fused_qkv_projection_loses_a_heads_columns_in_each_third_and_the_split_sizes_follow()
    {
        var model = StructuredFixtures.FusedQkvAttention();
        var heads = Assert.Single(Analyse(model), g => g.Kind == UnitStructure.Heads);
        Assert.False(heads.Failed, heads.Failure);
        Assert.Equal(4, heads.Units);

        StructuredSurgery.Apply(model, new[] { (heads, new[] { 2 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.Equal(new long[] { 32, 72 }, Initializer(model, "qkv.weight").Dims);
        Assert.Equal(new long[] { 72 }, Initializer(model, "qkv.bias").Dims);
        Assert.Equal(new long[] { 24, 24, 24 }, ShapeConstants.Read(Initializer(model, "qkv.split")));
        Assert.Equal(new long[] { 0, 0, 3, 8 }, ShapeConstants.Read(Initializer(model, "heads.shape")));
        Assert.Equal(new long[] { 24, 32 }, Initializer(model, "o.weight").Dims);
    }

    [Fact]
    public void Conv_filters_take_batch_norm_parameters_and_the_next_layers_input_channels_along()
    {
        var model = StructuredFixtures.CnnWithBatchNorm();
        var groups = Analyse(model).Where(g => !g.Failed).ToArray();
        Assert.Equal(2, groups.Length);
        Assert.All(groups, g => Assert.Equal(UnitStructure.Filters, g.Kind));
        Assert.Equal(new long[] { 8, 16 }, groups.Select(g => g.Units).ToArray());

        StructuredSurgery.Apply(model, new[] { (groups[0], new[] { 0, 1, 2 }), (groups[1], new[] { 3 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.Equal(new long[] { 5, 3, 3, 3 }, Initializer(model, "conv1.weight").Dims);
        Assert.Equal(new long[] { 15, 5, 3, 3 }, Initializer(model, "conv2.weight").Dims);
        Assert.All(model.Graph.Initializer.Where(t => t.Name.StartsWith("bn1", StringComparison.Ordinal)), t => Assert.Equal(new long[] { 5 }, t.Dims));
        Assert.Equal(new long[] { 10, 15 }, Initializer(model, "fc.weight").Dims);
    }

    [Fact]
    public void A_residual_add_joins_both_branches_into_one_group()
    {
        var groups = Analyse(StructuredFixtures.ResidualCnn());
        var stream = Assert.Single(groups, g => !g.Failed && g.Producers.Count == 2);
        Assert.Equal(8, stream.Units);
        Assert.Contains(groups, g => !g.Failed && g.Producers.Count == 1 && g.Consumers.Count == 1);
    }

    [Fact]
    public void A_depthwise_conv_passes_the_units_through_and_its_group_count_follows()
    {
        var model = StructuredFixtures.DepthwiseCnn();
        var group = Analyse(model).First(g => !g.Failed && g.GroupCountEdits.Count == 1);

        StructuredSurgery.Apply(model, new[] { (group, new[] { 0, 7 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        var depthwise = model.Graph.Node.Single(n => n.OpType == "Conv" && n.Attribute.Any(a => a.Name == "group" && a.I > 1));
        Assert.Equal(6, depthwise.Attribute.Single(a => a.Name == "group").I);
        Assert.Equal(new long[] { 2, 10 }, ModelRunner.Run(model)["logits"].Shape);
    }

    [Fact]
    public void Branches_joined_by_a_concat_are_pruned_apart_and_the_next_layer_loses_each_ones_segment()
    {
        var model = StructuredFixtures.ConcatCnn();
        var groups = Analyse(model);
        var branches = groups.Where(g => !g.Failed && g.Producers.Any(p => p.Name is "convA" or "convB")).ToArray();
        Assert.Equal(2, branches.Length);
        Assert.All(branches, b => Assert.Equal(4, b.Units));
        // The classifier's output is the graph output: its "units" are the model's outputs, never pruned.
        Assert.Contains(groups, g => g.Failed && g.Failure!.Contains("graph output 'logits'"));

        // convA loses its channel 0 (concat channel 0), convB its channels 1 and 3 (concat channels 5 and 7).
        StructuredSurgery.Apply(model, new[] { (branches[0], new[] { 0 }), (branches[1], new[] { 1, 3 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.Equal(new long[] { 3, 3, 3, 3 }, Initializer(model, "convA.weight").Dims);
        Assert.Equal(new long[] { 2, 3, 3, 3 }, Initializer(model, "convB.weight").Dims);
        Assert.Equal(new long[] { 6, 5, 3, 3 }, Initializer(model, "conv.weight").Dims);
        Assert.Equal(new long[] { 2, 10 }, ModelRunner.Run(model)["logits"].Shape);
    }

    [Fact]
    public void A_squeeze_and_excitation_gate_produces_the_units_it_scales()
    {
        var groups = Analyse(StructuredFixtures.InvertedResidualCnn());

        Assert.All(groups.Where(g => g.Failed), g => Assert.Contains("graph output 'logits'", g.Failure));
        var expanded = Assert.Single(groups, g => g.Producers.Any(p => p.Name == "expand"));
        Assert.Equal(new[] { "expand", "se_expand" }, expanded.Producers.Select(p => p.Name).Order());
        Assert.Equal(new[] { "project", "se_reduce" }, expanded.Consumers.Select(c => c.Node.Name).Order());
        Assert.Single(expanded.GroupCountEdits);
        var stream = Assert.Single(groups, g => g.Producers.Any(p => p.Name == "stem"));
        Assert.Equal(new[] { "project", "stem" }, stream.Producers.Select(p => p.Name).Order());
        Assert.Equal(new[] { "expand", "head_conv" }, stream.Consumers.Select(c => c.Node.Name).Order());
    }

    [Fact]
    public void A_conv_transpose_reads_units_on_its_weights_first_axis_and_produces_them_on_its_second()
    {
        var model = StructuredFixtures.UpsamplingCnn();
        var groups = Analyse(model).Where(g => !g.Failed).ToArray();
        var into = Assert.Single(groups, g => g.Consumers.Any(c => c.Node.Name == "up"));
        var outOf = Assert.Single(groups, g => g.Producers.Any(p => p.Name == "up"));

        StructuredSurgery.Apply(model, new[] { (into, new[] { 0, 1 }), (outOf, new[] { 5 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.Equal(new long[] { 6, 5, 2, 2 }, Initializer(model, "up.weight").Dims);
        Assert.Equal(new long[] { 5 }, Initializer(model, "up.bias").Dims);
        Assert.Equal(new long[] { 4, 5, 3, 3 }, Initializer(model, "refine.weight").Dims);
        Assert.Equal(new long[] { 2, 10 }, ModelRunner.Run(model)["logits"].Shape);
    }

    [Fact]
    public void A_resize_that_keeps_the_channels_passes_the_units_through()
    {
        // Nearest-neighbour upsampling between the two convs: scales [1, 1, 2, 2].
        var model = StructuredFixtures.CnnWithBatchNorm();
        var graph = model.Graph;
        var conv2 = graph.Node.Single(n => n.Name == "conv2");
        var scales = new TensorProto { Name = "up.scales", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 4 } };
        scales.RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new[] { 1f, 1f, 2f, 2f }.AsSpan()));
        graph.Initializer.Add(scales);
        var resize = new NodeProto { OpType = "Resize", Name = "up", Input = { conv2.Input[0], "", "up.scales" }, Output = { "upsampled" } };
        graph.Node.Insert(graph.Node.IndexOf(conv2), resize);
        conv2.Input[0] = "upsampled";
        var group = Assert.Single(Analyse(model), g => g.Producers.Any(p => p.Name == "conv1"));
        Assert.False(group.Failed, group.Failure);
        ZeroUnits(group, new[] { 3 }, new GraphIndex(graph));
        var before = ModelRunner.Run(model);

        StructuredSurgery.Apply(model, new[] { (group, new[] { 3 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.True(ModelRunner.MaxAbsDifference(before, ModelRunner.Run(model)) < 1e-4);
    }

    [Fact]
    public void A_layer_whose_input_and_output_carry_the_same_units_is_a_listed_skip()
    {
        // t = Relu(x·W0); y = t + t·W1; out = y·W2: W1 reads and writes t's units, so neither side can be cut alone.
        var model = StructuredFixtures.Mlp();
        var graph = model.Graph;
        var relu = graph.Node.Single(n => n.OpType == "Relu");
        var fc2 = graph.Node.Single(n => n.Name == "fc2");
        var square = new TensorProto { Name = "square.weight", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 32, 32 } };
        square.RawData = Google.Protobuf.ByteString.CopyFrom(new byte[32 * 32 * 4]);
        graph.Initializer.Add(square);
        var index = graph.Node.IndexOf(fc2);
        graph.Node.Insert(index, new NodeProto { OpType = "MatMul", Name = "square", Input = { relu.Output[0], "square.weight" }, Output = { "squared" } });
        graph.Node.Insert(index + 1, new NodeProto { OpType = "Add", Name = "skip", Input = { relu.Output[0], "squared" }, Output = { "skipped" } });
        fc2.Input[0] = "skipped";

        var groups = Analyse(model).Where(g => g.Producers.Any(p => p.Name == "fc1")).ToArray();

        // Seeded from fc1 and again from square: the same units either way, and never pruned.
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.Contains("'square' reads and writes the same units", g.Failure));
    }

    [Fact]
    public void Weights_in_constant_nodes_and_behind_identity_chains_are_cut_where_they_are_stored()
    {
        var model = FixtureModels.ConstantAndIfModel();
        var groups = Analyse(model);
        var group = Assert.Single(groups, g => !g.Failed);
        // The other group's units are read inside the If branch, which the analysis does not enter.
        Assert.Contains(groups, g => g.Failed && g.Failure!.Contains("subgraph"));
        ZeroUnits(group, new[] { 2, 5 }, new GraphIndex(model.Graph));
        var before = ModelRunner.Run(model);

        StructuredSurgery.Apply(model, new[] { (group, new[] { 2, 5 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.True(ModelRunner.MaxAbsDifference(before, ModelRunner.Run(model)) < 1e-4);
    }

    [Fact]
    public void A_layer_norm_across_the_units_is_a_listed_skip()
    {
        var group = Assert.Single(Analyse(FixtureModels.EmbeddingModel()));
        Assert.Contains("LayerNormalization) normalises across the units", group.Failure);
    }

    [Fact]
    public void Unsupported_patterns_are_listed_with_their_reason_and_never_cut()
    {
        // A grouped (not depthwise) Conv mixes channels within each group: turn the depthwise Conv into group=4.
        var model = StructuredFixtures.DepthwiseCnn();
        var dw = model.Graph.Node.Single(n => n.Name == "dw");
        dw.Attribute.Single(a => a.Name == "group").I = 4;
        var weight = Initializer(model, "dw.weight");
        weight.Dims[1] = 2;
        weight.RawData = Google.Protobuf.ByteString.CopyFrom(new byte[8 * 2 * 3 * 3 * 4]);

        var groups = Analyse(model);

        var grouped = Assert.Single(groups, g => g.Failed && g.Failure!.Contains("grouped Conv"));
        Assert.Contains(grouped.Producers, p => p.Name == "conv");
        Assert.Contains(groups, g => !g.Failed && g.Producers.Any(p => p.Name == "pw"));
    }

    [Fact]
    public void A_constant_shared_with_a_layer_outside_the_group_is_copied_not_cut()
    {
        // Two MLPs reading the same bias row: pruning one must leave the other's bias whole.
        var model = StructuredFixtures.Mlp();
        var graph = model.Graph;
        var add = graph.Node.First(n => n.OpType == "Add" && n.Input.Contains("fc1.bias"));
        graph.Node.Add(new NodeProto { OpType = "Add", Name = "other", Input = { "fc1.bias", "fc1.bias" }, Output = { "other_out" } });
        graph.Output.Add(new ValueInfoProto { Name = "other_out" });
        var group = Assert.Single(Analyse(model), g => !g.Failed);

        StructuredSurgery.Apply(model, new[] { (group, new[] { 0 }) }, Array.Empty<(UnitGroup, UnitConsumer, double[])>());

        Assert.Equal(new long[] { 32 }, Initializer(model, "fc1.bias").Dims);
        Assert.NotEqual("fc1.bias", add.Input.First(i => i.StartsWith("fc1.bias", StringComparison.Ordinal)));
        Assert.Equal(new long[] { 32 }, ModelRunner.Run(model)["other_out"].Shape);
    }

    private static IReadOnlyList<UnitGroup> Analyse(ModelProto model) =>
        UnitGroupFinder.Find(model, ShapeProbe.Run(model, null, 42, new Dictionary<string, long>(), ExecutionDevice.Cpu, "fixture.onnx"));

    /// <summary>Zeroes the units' slices of every producing weight, depthwise filter and per-channel constant (biases, BatchNorm).</summary>
    private static void ZeroUnits(UnitGroup group, int[] units, GraphIndex index)
    {
        foreach (var slice in group.Slices.Where(s => s.Role != SliceRole.ConsumerWeight))
        {
            var tensor = index.Constant(slice.ValueName)!;
            var storage = new WeightTensor(tensor.Name, tensor);
            var W = storage.ReadValues();
            var dims = tensor.Dims.ToArray();
            var inner = dims.Skip(slice.Units.Axis + 1).Aggregate(1L, (a, b) => a * b);
            var zeroed = slice.Units.Indices(units, group.Units, dims[slice.Units.Axis]).ToHashSet();
            for (long i = 0; i < W.Length; i++)
            {
                if (zeroed.Contains((int)(i / inner % dims[slice.Units.Axis]))) W[i] = 0;
            }

            storage.WriteValues(W);
        }
    }

    private static TensorProto Initializer(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name);

    private static ModelProto Fixture(string pattern) => pattern switch
    {
        "mlp" => StructuredFixtures.Mlp(),
        "gemm_mlp" => StructuredFixtures.GemmMlp(),
        "glu" => StructuredFixtures.GluMlp(),
        "mha_static" => StructuredFixtures.MultiHeadAttention(false),
        "mha_dynamic" => StructuredFixtures.MultiHeadAttention(true),
        "gqa" => StructuredFixtures.GroupedQueryAttention(),
        "fused_qkv" => StructuredFixtures.FusedQkvAttention(),
        "cnn_bn" => StructuredFixtures.CnnWithBatchNorm(),
        "residual" => StructuredFixtures.ResidualCnn(),
        "concat" => StructuredFixtures.ConcatCnn(),
        "depthwise" => StructuredFixtures.DepthwiseCnn(),
        "inverted_residual" => StructuredFixtures.InvertedResidualCnn(),
        "upsampling" => StructuredFixtures.UpsamplingCnn(),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern)),
    };
}
