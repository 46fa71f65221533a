using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Statistics;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Statistics;

public sealed class LayerInputLocatorTests
{
    [Fact]
    public void Gemm_layers_read_their_first_input_with_the_weights_input_width()
    {
        var located = Locate(FixtureModels.GemmMlp());

        Assert.Empty(located.Skipped);
        Assert.Equal(
            new[] { ("W1", "gemm1", "input", 16), ("W2", "gemm2", "a1", 32), ("W3", "gemm3", "a2", 24) },
            located.Supported.Select(l => (l.WeightName, l.NodeName, l.ActivationName, l.Features)));
        Assert.All(located.Supported, l => Assert.Null(l.Note));
    }

    [Fact]
    public void MatMul_weight_first_is_skipped_and_a_shared_weight_uses_its_first_consumer()
    {
        var located = Locate(FixtureModels.MatMulMlp());

        Assert.Equal(
            new[] { ("W1", "input", 12), ("W_shared", "a1", 20) },
            located.Supported.Select(l => (l.WeightName, l.ActivationName, l.Features)));
        var shared = located.Supported.Single(l => l.WeightName == "W_shared");
        Assert.Equal("matmul2", shared.NodeName);
        Assert.Contains("first consumer 'matmul2'", shared.Note);
        var skipped = Assert.Single(located.Skipped);
        Assert.Equal("W_out", skipped.WeightName);
        Assert.Contains("first operand", skipped.Reason);
    }

    [Fact]
    public void Convolutions_are_unfolded_into_patches_of_their_weights_input_width()
    {
        var located = Locate(FixtureModels.SmallCnn());

        Assert.Empty(located.Skipped);
        Assert.Equal(
            new[] { ("conv1.weight", "input", 4 * 9, 1), ("conv2.weight", "r1", 8 * 9, 1), ("fc.weight", "features", 16, 1) },
            located.Supported.Select(l => (l.WeightName, l.ActivationName, l.Features, l.Groups)));
        var conv2 = located.Supported[1].Unfold!;
        Assert.Equal(new long[] { 3, 3 }, conv2.KernelShape);
        Assert.Equal(new[] { "pads" }, conv2.Attributes.Select(a => a.Name));
        Assert.Null(located.Supported[2].Unfold);
    }

    [Fact]
    public void Grouped_convolutions_have_one_statistic_per_group()
    {
        var located = Locate(StatisticsTestModels.GroupedStridedConv());

        Assert.Equal(new[] { ("Wg", 2 * 3 * 2, 2), ("Wd", 9, 6) }, located.Supported.Select(l => (l.WeightName, l.Features, l.Groups)));
        Assert.Equal(new[] { "auto_pad" }, located.Supported[1].Unfold!.Attributes.Select(a => a.Name));
        Assert.NotEqual(located.Supported[0].ViewKey, located.Supported[1].ViewKey);
    }

    [Fact]
    public void Gemm_operands_with_the_features_on_axis_zero_are_transposed()
    {
        var transA = Assert.Single(Locate(StatisticsTestModels.GemmTransA()).Supported);
        Assert.Equal(("x", 4, true), (transA.ActivationName, transA.Features, transA.TransposeActivation));

        var weightFirst = Assert.Single(Locate(StatisticsTestModels.WeightFirstGemm()).Supported);
        Assert.Equal(("x", 4, true), (weightFirst.ActivationName, weightFirst.Features, weightFirst.TransposeActivation));

        var plain = Locate(FixtureModels.GemmMlp()).Supported;
        Assert.All(plain, l => Assert.False(l.TransposeActivation));
    }

    [Fact]
    public void Recurrent_and_transposed_convolution_weights_are_skipped()
    {
        var lstm = Locate(FixtureModels.LstmModel());
        Assert.Empty(lstm.Supported);
        Assert.Equal(2, lstm.Skipped.Count);
        Assert.All(lstm.Skipped, s => Assert.Contains("LSTM", s.Reason));

        var deconv = Assert.Single(Locate(FixtureModels.ConvTransposeModel()).Skipped);
        Assert.Contains("ConvTranspose", deconv.Reason);
    }

    [Fact]
    public void Constants_and_Identity_chains_resolve_and_subgraph_layers_are_skipped()
    {
        var located = Locate(FixtureModels.ConstantAndIfModel());

        Assert.Equal(
            new[] { ("W_const1", "input", 8), ("W_base", "a1", 16) },
            located.Supported.Select(l => (l.WeightName, l.ActivationName, l.Features)));
        Assert.Equal(new[] { "W_then", "W_outer" }, located.Skipped.Select(s => s.WeightName));
        Assert.All(located.Skipped, s => Assert.Contains("subgraph", s.Reason));
    }

    [Fact]
    public void An_activation_that_is_an_initializer_is_skipped()
    {
        var skipped = Assert.Single(Locate(StatisticsTestModels.ConstantActivation()).Skipped);

        Assert.Equal("W", skipped.WeightName);
        Assert.Contains("'C' is a constant", skipped.Reason);
    }

    [Fact]
    public void Float16_layers_keep_their_element_type()
    {
        var located = Locate(FixtureModels.Float16Mlp());

        Assert.Equal(new[] { ("input_fp16", 16), ("a1", 32) }, located.Supported.Select(l => (l.ActivationName, l.Features)));
        Assert.All(located.Supported, l => Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Float16, l.ElementType));
    }

    private static LayerInputLocations Locate(global::Onnx.ModelProto model) =>
        LayerInputLocator.Locate(model, PrunableWeightFinder.Find(model));
}
