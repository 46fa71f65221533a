using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class MetricRoundingTests
{
    [Theory]
    [InlineData(0.123456789, 0.123457)]
    [InlineData(123456789.0, 123457000.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(0.4, 0.4)]
    [InlineData(-0.0, 0.0)]
    [InlineData(1.23456789e-9, 1.23457e-9)]
    public void Rounds_to_six_significant_digits(double value, double expected) => Assert.Equal(expected, MetricRounding.Round6(value));

    [Fact]
    public void Negative_zero_becomes_zero() => Assert.False(double.IsNegative(MetricRounding.Round6(-0.0)));
}
