using Google.Protobuf;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Statistics;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Statistics;

public sealed class StatisticsGraphBuilderTests
{
    [Fact]
    public void Outputs_norms_Gram_and_rows_per_layer_and_leaves_the_callers_model_alone()
    {
        var model = FixtureModels.GemmMlp();
        var before = model.ToByteArray();

        var built = Build(model, gram: true);

        Assert.Equal(before, model.ToByteArray());
        Assert.Equal(
            new[] { "__modelprune_norms_0", "__modelprune_gram_0", "__modelprune_rows_0" },
            new[] { built.Layers[0].NormsOutput, built.Layers[0].GramOutput, built.Layers[0].RowsOutput });
        Assert.Equal(9, built.OutputNames.Count);
        var augmented = built.Model;
        Assert.Equal(built.OutputNames, augmented.Graph.Output.Select(o => o.Name));
        // Per layer: the [-1, d] shape and the tokens axis.
        Assert.Equal(model.Graph.Initializer.Count + (2 * 3), augmented.Graph.Initializer.Count);
        Assert.Equal(new long[] { 24, 24 }, augmented.Graph.Output.Single(o => o.Name == "__modelprune_gram_2").Type.TensorType.Shape.Dim.Select(d => d.DimValue));
    }

    [Fact]
    public void Without_Gram_only_norms_and_rows_are_added()
    {
        var built = Build(FixtureModels.GemmMlp(), gram: false);

        Assert.All(built.Layers, l => Assert.Null(l.GramOutput));
        Assert.DoesNotContain(built.Model.Graph.Node, n => n.OpType == "Transpose");
    }

    [Fact]
    public void ReduceSumSquare_takes_axes_as_an_attribute_before_opset_18_and_as_an_input_from_18_on()
    {
        var opset17 = ReduceNode(Build(FixtureModels.GemmMlp(), gram: false));
        Assert.Single(opset17.Input);
        Assert.Equal(new long[] { 0 }, opset17.Attribute.Single(a => a.Name == "axes").Ints);

        var opset18 = ReduceNode(Build(StatisticsTestModels.SharedInputOpset18(), gram: false));
        Assert.Equal(2, opset18.Input.Count);
        Assert.DoesNotContain(opset18.Attribute, a => a.Name == "axes");
    }

    [Fact]
    public void Layers_on_the_same_activation_share_one_set_of_outputs()
    {
        var built = Build(StatisticsTestModels.SharedInputOpset18(), gram: true);

        Assert.Equal(3, built.Layers.Count);
        Assert.Equal(built.Layers[0].NormsOutput, built.Layers[1].NormsOutput);
        Assert.NotEqual(built.Layers[0].NormsOutput, built.Layers[2].NormsOutput);
        Assert.Equal(6, built.OutputNames.Count);
    }

    [Fact]
    public void Float16_activations_are_cast_to_float_first()
    {
        var augmented = Build(FixtureModels.Float16Mlp(), gram: true).Model;

        var casts = augmented.Graph.Node.Where(n => n.OpType == "Cast" && n.Name.StartsWith("__modelprune_", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "input_fp16", "a1" }, casts.Select(c => c.Input[0]));
        Assert.All(augmented.Graph.Output, o => Assert.NotEqual((int)global::Onnx.TensorProto.Types.DataType.Float16, o.Type.TensorType.ElemType));
    }

    private static StatisticsModel Build(global::Onnx.ModelProto model, bool gram)
    {
        var located = LayerInputLocator.Locate(model, PrunableWeightFinder.Find(model));
        return StatisticsGraphBuilder.Build(model, located.Supported.Select(l => new StatisticsRequest(l, gram)).ToList());
    }

    private static global::Onnx.NodeProto ReduceNode(StatisticsModel built) =>
        built.Model.Graph.Node.First(n => n.OpType == "ReduceSumSquare");
}
