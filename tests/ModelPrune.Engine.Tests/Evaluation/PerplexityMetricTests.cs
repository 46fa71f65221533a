using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class PerplexityMetricTests
{
    [Fact]
    public void A_uniform_distribution_has_the_vocabulary_size_as_perplexity()
    {
        var logits = new double[4 * 50];

        Assert.Equal(50, PerplexityMetric.Compute(logits, vocabulary: 50, labels: new long[] { 0, 7, 49, 3 })!.Value, 9);
    }

    [Fact]
    public void A_certain_correct_model_has_perplexity_one()
    {
        var logits = new double[] { 1000, 0, 0, 0, 1000, 0 };

        Assert.Equal(1, PerplexityMetric.Compute(logits, vocabulary: 3, labels: new long[] { 0, 1 })!.Value, 12);
    }

    [Fact]
    public void Known_probabilities_give_exp_of_the_mean_negative_log_likelihood()
    {
        // Row 0 puts 0.5 on its label, row 1 0.25: perplexity exp((ln 2 + ln 4) / 2) = sqrt(8).
        var logits = new[] { Math.Log(0.5), Math.Log(0.5), Math.Log(0.25), Math.Log(0.75) };

        Assert.Equal(Math.Sqrt(8), PerplexityMetric.Compute(logits, vocabulary: 2, labels: new long[] { 1, 0 })!.Value, 12);
    }

    [Fact]
    public void Ignored_positions_do_not_count_and_none_labelled_gives_null()
    {
        var logits = new double[] { 0, 0, 1000, 0 };

        Assert.Equal(2, PerplexityMetric.Compute(logits, vocabulary: 2, labels: new long[] { 1, -100 })!.Value, 12);
        Assert.Null(PerplexityMetric.Compute(logits, vocabulary: 2, labels: new long[] { -100, -100 }));
    }
}
