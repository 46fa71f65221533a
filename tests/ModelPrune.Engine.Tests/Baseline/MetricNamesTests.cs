using ModelPrune.Engine.Baseline;

namespace ModelPrune.Engine.Tests.Baseline;

public sealed class MetricNamesTests
{
    [Theory]
    [InlineData("cosine", MetricDirection.HigherIsBetter)]
    [InlineData("top1Agreement", MetricDirection.HigherIsBetter)]
    [InlineData("top5Agreement", MetricDirection.HigherIsBetter)]
    [InlineData("accuracy", MetricDirection.HigherIsBetter)]
    [InlineData("meanCosineSimilarity", MetricDirection.HigherIsBetter)]
    [InlineData("nearestNeighbourAgreement", MetricDirection.HigherIsBetter)]
    [InlineData("relativeL2", MetricDirection.LowerIsBetter)]
    [InlineData("maxAbs", MetricDirection.LowerIsBetter)]
    [InlineData("meanKLDivergence", MetricDirection.LowerIsBetter)]
    [InlineData("kl", MetricDirection.LowerIsBetter)]
    [InlineData("perplexity", MetricDirection.LowerIsBetter)]
    [InlineData("reconstructionError", MetricDirection.LowerIsBetter)]
    [InlineData("max_abs_error", MetricDirection.LowerIsBetter)]
    [InlineData("bitsPerWeight", MetricDirection.LowerIsBetter)]
    public void A_metric_names_its_direction(string name, object expected)
    {
        Assert.Equal((MetricDirection)expected, MetricNames.DirectionOf(name, parentName: null));
    }

    [Theory]
    [InlineData("sparsity")]
    [InlineData("zeros")]
    [InlineData("bytes")]
    [InlineData("bits")]
    [InlineData("seed")]
    [InlineData("calibrationTokens")]
    public void Counts_sizes_and_settings_are_not_metrics(string name)
    {
        Assert.Null(MetricNames.DirectionOf(name, parentName: null));
    }

    [Fact]
    public void A_statistic_without_a_direction_takes_its_parent_objects()
    {
        Assert.Equal(MetricDirection.HigherIsBetter, MetricNames.DirectionOf("p5", "cosine"));
        Assert.Equal(MetricDirection.LowerIsBetter, MetricNames.DirectionOf("pruned", "perplexity"));
    }

    [Theory]
    [InlineData("timings")]
    [InlineData("latencyMs")]
    [InlineData("device")]
    [InlineData("durationSeconds")]
    public void Timings_and_machine_values_are_recognised(string name)
    {
        Assert.True(MetricNames.IsMachineSpecific(name));
    }
}
