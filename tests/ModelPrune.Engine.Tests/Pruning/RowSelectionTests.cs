using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Tests.Pruning;

/// <summary>The one NaN rule of <see cref="RowSelection"/>: a NaN score ranks above +∞, so it is pruned last, on every path.</summary>
public sealed class RowSelectionTests
{
    [Fact]
    public void Unstructured_selection_prunes_a_NaN_score_last_even_after_infinity()
    {
        float[] scores = { float.NaN, 0.5f, float.PositiveInfinity, 0.25f };
        var pruned = new bool[scores.Length];

        RowSelection.MarkSmallest(scores, 3, new ulong[scores.Length], pruned);

        Assert.Equal(new[] { false, true, true, true }, pruned);
    }

    [Fact]
    public void Unstructured_selection_breaks_ties_to_the_lower_index()
    {
        float[] scores = { 1f, 0.5f, 1f, 1f };
        var pruned = new bool[scores.Length];

        RowSelection.MarkSmallest(scores, 3, new ulong[scores.Length], pruned);

        Assert.Equal(new[] { true, true, true, false }, pruned);
    }

    [Fact]
    public void NM_selection_prunes_a_NaN_score_last_in_its_group_wherever_it_stands()
    {
        float[] scores = { float.NaN, 3f, 1f, 2f, 3f, 1f, float.NaN, 2f };
        var pruned = new bool[scores.Length];

        RowSelection.MarkSmallestPerGroup(scores, 3, 4, pruned);

        Assert.Equal(new[] { false, true, true, true, true, true, false, true }, pruned);
    }

    [Fact]
    public void NM_selection_breaks_ties_to_the_lower_index()
    {
        float[] scores = { 2f, 1f, 2f, 2f };
        var pruned = new bool[scores.Length];

        RowSelection.MarkSmallestPerGroup(scores, 2, 4, pruned);

        Assert.Equal(new[] { true, true, false, false }, pruned);
    }

    [Fact]
    public void Unstructured_magnitude_pruning_keeps_a_NaN_weight_longest()
    {
        float[] W = { float.NaN, 1f, -2f, float.NegativeInfinity };

        MagnitudeSelection.ZeroSmallest(W, 3);

        Assert.True(float.IsNaN(W[0]));
        Assert.Equal(new[] { 0f, 0f, 0f }, W[1..]);
    }

    [Fact]
    public void NM_magnitude_pruning_keeps_a_NaN_weight_longest_even_as_the_first_of_its_group()
    {
        // MatMul weight [K = 4, out = 1]: one group of 4 down the input axis, the NaN first in it.
        float[] W = { float.NaN, 1f, -2f, 3f };

        NmMagnitudePruner.Prune(W, InputAxisLayout.From(new long[] { 4, 1 }, 0), new SparsityPattern(3, 4));

        Assert.True(float.IsNaN(W[0]));
        Assert.Equal(new[] { 0f, 0f, 0f }, W[1..]);
    }
}
