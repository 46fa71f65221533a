using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class ModelParameterCounterTests
{
    [Fact]
    public void Counts_every_initializer_element()
    {
        Assert.Equal((32L * 16 + 32 + 32 * 24 + 24 + 10 * 24 + 10, 0L), ModelParameterCounter.CountFloatParameters(FixtureModels.GemmMlp()));
    }

    [Fact]
    public void Counts_constant_nodes_and_tensors_inside_if_branches()
    {
        // W_const1 8x16, b_const1 16, zero 1 (a zero), W_base 16x16, W_outer 16x4, W_then 16x4, two branch biases of 4.
        var expected = (8L * 16 + 16 + 1 + 16 * 16 + 16 * 4 + 16 * 4 + 4 + 4, 1L);

        Assert.Equal(expected, ModelParameterCounter.CountFloatParameters(FixtureModels.ConstantAndIfModel()));
    }

    [Fact]
    public void Counts_float16_and_skips_nothing_that_is_floating_point()
    {
        Assert.Equal((16L * 32 + 32 + 32 * 8, 0L), ModelParameterCounter.CountFloatParameters(FixtureModels.Float16Mlp()));
        Assert.Equal((50L * 16 + 16 * 8 + 8 + 8 + 8, 8L), ModelParameterCounter.CountFloatParameters(FixtureModels.EmbeddingModel()));
    }

    [Fact]
    public void Zeros_written_into_a_weight_are_counted()
    {
        var model = FixtureModels.GemmMlp();
        var w1 = PrunableWeightFinder.Find(model)[0].Tensor;
        var values = w1.ReadValues();
        Array.Clear(values, 0, 100);
        w1.WriteValues(values);

        Assert.Equal(100L, ModelParameterCounter.CountFloatParameters(model).Zeros);
    }
}
