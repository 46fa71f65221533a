using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Pruning.Structured;

namespace ModelPrune.Engine.Tests.Structured;

public sealed class UnitAllocationTests
{
    private static readonly double[] Ascending = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();

    [Fact]
    public void Uniform_removes_the_same_fraction_of_each_group_lowest_scores_first()
    {
        var groups = new[] { new AllocationGroup(Ascending, 5), new AllocationGroup(Ascending.Reverse().ToArray(), 50) };

        var removed = UnitAllocation.Removed(groups, 0.3, LayerAllocation.Uniform, minUnits: 1, multiple: 1, maxLayerSparsity: 0.95);

        Assert.Equal(new[] { 0, 1, 2 }, removed[0]);
        Assert.Equal(new[] { 7, 8, 9 }, removed[1]);
    }

    [Fact]
    public void Min_units_and_max_layer_sparsity_are_floors()
    {
        var groups = new[] { new AllocationGroup(Ascending, 1) };

        Assert.Equal(7, UnitAllocation.Removed(groups, 0.9, LayerAllocation.Uniform, 3, 1, 0.95)[0].Length);
        Assert.Equal(5, UnitAllocation.Removed(groups, 0.9, LayerAllocation.Uniform, 1, 1, 0.5)[0].Length);
        Assert.Empty(UnitAllocation.Removed(groups, 0.9, LayerAllocation.Uniform, 20, 1, 0.95)[0]);
    }

    [Fact]
    public void Kept_counts_round_up_to_the_multiple_keeping_the_best_of_the_removed()
    {
        var groups = new[] { new AllocationGroup(Enumerable.Range(0, 32).Select(i => (double)i).ToArray(), 1) };

        // 30% of 32 is 10 units, leaving 22; rounded up to 24 kept, so only the 8 lowest go.
        var removed = UnitAllocation.Removed(groups, 0.3, LayerAllocation.Uniform, 1, 8, 0.95)[0];

        Assert.Equal(Enumerable.Range(0, 8), removed);
    }

    [Fact]
    public void Global_ranks_standardised_scores_so_a_layer_of_large_scores_is_not_spared_for_its_scale()
    {
        // The second group's scores are the first's times 1000: after standardisation both rank alike and lose alike.
        var small = new AllocationGroup(Ascending, 10);
        var large = new AllocationGroup(Ascending.Select(s => s * 1000).ToArray(), 10);

        var removed = UnitAllocation.Removed(new[] { small, large }, 0.4, LayerAllocation.Global, 1, 1, 0.95);

        Assert.Equal(new[] { 0, 1, 2, 3 }, removed[0]);
        Assert.Equal(new[] { 0, 1, 2, 3 }, removed[1]);
    }

    [Fact]
    public void Global_adapts_the_structure_when_one_layer_has_many_near_useless_units()
    {
        // Group 0: eight units near zero and two big ones; group 1: evenly spread. The standardised scores put
        // group 0's small units first, so it loses more than the average.
        var skewed = new AllocationGroup(new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 10, 10 }, 10);
        var even = new AllocationGroup(Ascending, 10);

        var removed = UnitAllocation.Removed(new[] { skewed, even }, 0.5, LayerAllocation.Global, 1, 1, 0.95);

        Assert.Equal(10, removed[0].Length + removed[1].Length);
        Assert.True(removed[0].Length > removed[1].Length, $"skewed lost {removed[0].Length}, even {removed[1].Length}");
    }

    [Fact]
    public void Global_meets_the_parameter_target_across_units_of_different_cost()
    {
        // 10 units of 100 parameters and 10 of 10: 30% of 1100 is 330 parameters.
        var removed = UnitAllocation.Removed(new[] { new AllocationGroup(Ascending, 100), new AllocationGroup(Ascending, 10) }, 0.3, LayerAllocation.Global, 1, 1, 0.95);

        var parameters = (removed[0].Length * 100) + (removed[1].Length * 10);
        Assert.InRange(parameters, 330 - 50, 330 + 50);
    }
}
