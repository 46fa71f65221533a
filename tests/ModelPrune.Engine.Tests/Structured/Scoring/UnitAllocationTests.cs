using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Structured.Scoring;

namespace ModelPrune.Engine.Tests.Structured.Scoring;

public sealed class UnitAllocationTests
{
    private static readonly double[] Ascending = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();

    /// <summary>Independent groups whose units cost the given parameters each.</summary>
    private static Func<IReadOnlyList<int>, long> Costs(params long[] perUnit) => counts => counts.Select((c, g) => c * perUnit[g]).Sum();

    [Fact]
    public void Uniform_removes_the_same_fraction_of_each_group_lowest_scores_first()
    {
        var scores = new[] { Ascending, Ascending.Reverse().ToArray() };

        var removed = UnitAllocation.Removed(scores, Costs(5, 50), 165, LayerAllocation.Uniform, minUnits: 1, multiple: 1, maxLayerSparsity: 0.95);

        Assert.Equal(new[] { 0, 1, 2 }, removed[0]);
        Assert.Equal(new[] { 7, 8, 9 }, removed[1]);
    }

    [Fact]
    public void Min_units_and_max_layer_sparsity_are_floors()
    {
        var scores = new[] { Ascending };

        Assert.Equal(7, UnitAllocation.Removed(scores, Costs(1), 9, LayerAllocation.Uniform, 3, 1, 0.95)[0].Length);
        Assert.Equal(5, UnitAllocation.Removed(scores, Costs(1), 9, LayerAllocation.Uniform, 1, 1, 0.5)[0].Length);
        Assert.Empty(UnitAllocation.Removed(scores, Costs(1), 9, LayerAllocation.Uniform, 20, 1, 0.95)[0]);
    }

    [Fact]
    public void Kept_counts_are_multiples_and_the_lowest_scores_go()
    {
        var scores = new[] { Enumerable.Range(0, 32).Select(i => (double)(31 - i)).ToArray() };

        // 10 of 32 units asked for: 22 kept is no multiple of 8, so 24 are kept (8 removed: the eight lowest scores).
        var removed = UnitAllocation.Removed(scores, Costs(1), 10, LayerAllocation.Uniform, 1, 8, 0.95)[0];

        Assert.Equal(Enumerable.Range(24, 8), removed);
    }

    [Fact]
    public void Global_ranks_standardised_scores_so_a_layer_of_large_scores_is_not_spared_for_its_scale()
    {
        var scores = new[] { Ascending, Ascending.Select(s => s * 1000).ToArray() };

        var removed = UnitAllocation.Removed(scores, Costs(10, 10), 80, LayerAllocation.Global, 1, 1, 0.95);

        Assert.Equal(new[] { 0, 1, 2, 3 }, removed[0]);
        Assert.Equal(new[] { 0, 1, 2, 3 }, removed[1]);
    }

    [Fact]
    public void Global_adapts_the_structure_when_one_layer_has_many_near_useless_units()
    {
        var skewed = new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 10, 10 };

        var removed = UnitAllocation.Removed(new[] { skewed, Ascending }, Costs(10, 10), 100, LayerAllocation.Global, 1, 1, 0.95);

        Assert.Equal(10, removed[0].Length + removed[1].Length);
        Assert.True(removed[0].Length > removed[1].Length, $"skewed lost {removed[0].Length}, even {removed[1].Length}");
    }

    [Fact]
    public void The_target_is_met_in_parameters_even_when_groups_share_a_weight()
    {
        // Two groups of 10 cutting one 10x10 weight from both sides: removing k from each leaves (10 - k)^2.
        long Shared(IReadOnlyList<int> counts) => 100 - ((10 - counts[0]) * (10 - counts[1]));

        var removed = UnitAllocation.Removed(new[] { Ascending, Ascending }, Shared, 50, LayerAllocation.Uniform, 1, 1, 0.95);

        // Half the units of each would remove 75; 30% of each removes 51, the nearest to 50.
        Assert.Equal(new[] { 3, 3 }, removed.Select(r => r.Length).ToArray());
    }
}
