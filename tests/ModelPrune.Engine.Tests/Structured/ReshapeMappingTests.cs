using ModelPrune.Engine.Structured;

namespace ModelPrune.Engine.Tests.Structured;

public sealed class ReshapeMappingTests
{
    [Fact]
    public void A_kept_axis_is_found_after_the_same_number_of_elements()
    {
        Assert.Equal((1, false), ReshapeMapping.Map(new long[] { 4, 32, 1, 1 }, 1, new long[] { 4, 32 }));
        Assert.Equal((1, false), ReshapeMapping.Map(new long[] { 2, 5, 32 }, 2, new long[] { 10, 32 }));
    }

    [Fact]
    public void Channels_split_into_heads_and_merge_back()
    {
        Assert.Equal((2, true), ReshapeMapping.Map(new long[] { 2, 5, 32 }, 2, new long[] { 2, 5, 4, 8 }));
        Assert.Equal((2, true), ReshapeMapping.Map(new long[] { 2, 5, 4, 8 }, 2, new long[] { 2, 5, 32 }));
        // Grouped-query attention repeats each K/V head: [batch, kv heads, repeats, ...] merges into the query heads.
        Assert.Equal((1, true), ReshapeMapping.Map(new long[] { 2, 2, 3, 5, 8 }, 1, new long[] { 2, 6, 5, 8 }));
    }

    [Fact]
    public void Mixing_the_units_with_another_axis_is_refused()
    {
        Assert.Null(ReshapeMapping.Map(new long[] { 2, 5, 32 }, 2, new long[] { 2, 160 }));
        Assert.Null(ReshapeMapping.Map(new long[] { 4, 8, 3, 3 }, 1, new long[] { 4, 72 }));
    }
}
