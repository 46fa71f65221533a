using Microsoft.ML.OnnxRuntime.Tensors;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class DeviationMetricsTests
{
    [Fact]
    public void Both_zero_means_no_deviation()
    {
        var result = Compare(new long[] { 2, 2 }, new double[4], new double[4]);

        Assert.Equal(0, result.RelativeL2);
        Assert.Equal(1, result.Cosine);
        Assert.Equal(0, result.MaxAbs);
        Assert.Equal(1, result.Top1Agreement);
    }

    [Fact]
    public void Top1_ties_go_to_the_lowest_index()
    {
        // Row 0: [1, 1] vs [1, 0.5] → both argmax 0. Row 1: [0, 2] vs [3, 2] → 1 vs 0.
        var result = Compare(new long[] { 2, 2 }, new double[] { 1, 1, 0, 2 }, new double[] { 1, 0.5, 3, 2 });

        Assert.Equal(0.5, result.Top1Agreement);
    }

    [Fact]
    public void No_Top1_for_rank_3_because_hidden_states_look_like_logits()
    {
        var original = new double[] { 1, 0, 0, 1, 1, 0 };
        var pruned = new double[] { 1, 0, 1, 0, 1, 0 };

        var result = Compare(new long[] { 1, 3, 2 }, original, pruned);

        Assert.Null(result.Top1Agreement);
    }

    [Theory]
    [InlineData(new long[] { 4 })]
    [InlineData(new long[] { 4, 1 })]
    [InlineData(new long[] { 1, 2, 2, 1 })]
    public void No_Top1_for_shapes_that_are_not_class_scores(long[] shape)
    {
        Assert.Null(Compare(shape, new double[] { 1, 2, 3, 4 }, new double[] { 1, 2, 3, 4 }).Top1Agreement);
    }

    [Fact]
    public void Integer_outputs_are_compared_exactly_without_Top1()
    {
        var original = new CapturedOutput("labels", TensorElementType.Int64, new long[] { 2, 2 }, new double[] { 3, 4, 0, 0 }, null);
        var pruned = original with { Values = new double[] { 3, 4, 0, 5 } };

        var result = DeviationMetrics.Compare(original, pruned);

        Assert.Equal("int64", result.ElementType);
        Assert.Equal(MetricRounding.Round6(5.0 / 5), result.RelativeL2);
        Assert.Equal(5, result.MaxAbs);
        Assert.Null(result.Top1Agreement);
    }

    [Fact]
    public void Same_NaN_is_no_deviation_but_new_NaN_is_unbounded()
    {
        var same = Compare(new long[] { 3 }, new[] { double.NaN, 1, 2 }, new[] { double.NaN, 1, 2 });
        var appeared = Compare(new long[] { 3 }, new double[] { 0.5, 1, 2 }, new[] { double.NaN, 1, 2 });

        Assert.Equal(0, same.RelativeL2);
        Assert.Equal(1, same.Cosine);
        Assert.Equal(DeviationMetrics.Unbounded, appeared.RelativeL2);
        Assert.True(double.IsFinite(appeared.RelativeL2) && double.IsFinite(appeared.MaxAbs));
    }

    [Fact]
    public void Zero_original_with_non_zero_pruned_is_unbounded()
    {
        var result = Compare(new long[] { 2 }, new double[] { 0, 0 }, new double[] { 0, 1 });

        Assert.Equal(DeviationMetrics.Unbounded, result.RelativeL2);
        Assert.Equal(0, result.Cosine);
    }

    [Fact]
    public void Opposite_outputs_have_cosine_minus_one()
    {
        var result = Compare(new long[] { 3 }, new double[] { 1, -2, 3 }, new double[] { -1, 2, -3 });

        Assert.Equal(-1, result.Cosine);
        Assert.Equal(2, result.RelativeL2);
    }

    private static OutputDeviation Compare(long[] shape, double[] original, double[] pruned) =>
        DeviationMetrics.Compare(
            new CapturedOutput("out", TensorElementType.Float, shape, original, null),
            new CapturedOutput("out", TensorElementType.Float, shape, pruned, null));
}
