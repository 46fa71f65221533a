using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class ClassificationMetricsTests
{
    [Fact]
    public void An_identical_model_agrees_everywhere_with_zero_divergence()
    {
        var scores = new double[] { 0.1, 2, -1, 3, 0, 0.5, -2, 1, 4 };

        var result = ClassificationMetrics.Compute(scores, scores, classes: 3, labels: new long[] { 1, 0, 2 });

        Assert.Equal(3, result.Rows);
        Assert.Equal(1, result.Top1Agreement);
        Assert.Equal(1, result.Top5Agreement);
        Assert.Equal(0, result.MeanKlDivergence);
        Assert.Equal(1, result.AccuracyOriginal);
        Assert.Equal(1, result.AccuracyPruned);
    }

    [Fact]
    public void One_row_of_four_with_its_answer_swapped_gives_75_percent_agreement()
    {
        // Row 2's two highest classes trade places in the pruned model.
        var original = new double[] { 5, 1, 0, 1, 5, 0, 4, 3, 0, 0, 1, 6 };
        var pruned = new double[] { 5, 1, 0, 1, 5, 0, 3, 4, 0, 0, 1, 6 };

        var result = ClassificationMetrics.Compute(original, pruned, classes: 3, labels: new long[] { 0, 1, 0, 2 });

        Assert.Equal(0.75, result.Top1Agreement);
        Assert.Equal(1, result.Top5Agreement);
        Assert.Equal(1, result.AccuracyOriginal);
        Assert.Equal(0.75, result.AccuracyPruned);
    }

    [Fact]
    public void Top5_agreement_asks_whether_the_original_answer_stays_among_the_five_highest()
    {
        // Seven classes; the original answers class 0, which the pruned model ranks sixth.
        var original = new double[] { 9, 1, 1, 1, 1, 1, 1 };
        var pruned = new double[] { 1, 7, 6, 5, 4, 3, 0 };

        var result = ClassificationMetrics.Compute(original, pruned, classes: 7);

        Assert.Equal(0, result.Top1Agreement);
        Assert.Equal(0, result.Top5Agreement);
        Assert.Null(result.AccuracyOriginal);
    }

    [Fact]
    public void Kl_divergence_of_two_known_distributions()
    {
        // softmax(log p) = p: P = (0.5, 0.5), Q = (0.25, 0.75); KL = 0.5 ln 2 + 0.5 ln(2/3).
        var original = new[] { Math.Log(0.5), Math.Log(0.5) };
        var pruned = new[] { Math.Log(0.25), Math.Log(0.75) };

        var result = ClassificationMetrics.Compute(original, pruned, classes: 2);

        Assert.Equal(0.5 * Math.Log(2) + 0.5 * Math.Log(2.0 / 3), result.MeanKlDivergence, 12);
    }

    [Fact]
    public void Negative_labels_are_left_out_of_the_accuracy()
    {
        var scores = new double[] { 1, 0, 0, 1 };

        var result = ClassificationMetrics.Compute(scores, scores, classes: 2, labels: new long[] { -100, 0 });

        Assert.Equal(1, result.LabelledRows);
        Assert.Equal(0, result.AccuracyOriginal);
    }

    [Fact]
    public void Ties_go_to_the_lowest_class()
    {
        Assert.Equal(1, ClassificationMetrics.ArgMax(new double[] { 0, 3, 3 }));
    }
}
