using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class MeanPoolingTests
{
    // One item, three positions, two features.
    private static readonly double[] Values = { 1, 2, 3, 4, 100, 200 };

    [Fact]
    public void Without_a_mask_every_position_counts()
    {
        Assert.Equal(new double[] { 104.0 / 3, 206.0 / 3 }, MeanPooling.Pool(Values, items: 1, sequence: 3, hidden: 2));
    }

    [Fact]
    public void Masked_positions_are_left_out()
    {
        Assert.Equal(new double[] { 2, 3 }, MeanPooling.Pool(Values, items: 1, sequence: 3, hidden: 2, mask: new double[] { 1, 1, 0 }));
    }

    [Fact]
    public void An_all_zero_mask_counts_every_position_rather_than_dividing_by_zero()
    {
        Assert.Equal(new double[] { 104.0 / 3, 206.0 / 3 }, MeanPooling.Pool(Values, items: 1, sequence: 3, hidden: 2, mask: new double[] { 0, 0, 0 }));
    }
}
