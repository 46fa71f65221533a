namespace ModelPrune.Engine.Pruning.Structured;

/// <summary>
/// Which units each group loses. Uniform: every group loses the same fraction of its units. Global (FLAP's adaptive
/// structure): scores are standardised per group, (S − mean) / std, so that layers of different scale compare, then
/// ranked across all groups, and units go from the lowest up until the parameters removed reach the target. Either
/// way each group keeps at least <c>MinUnitsPerLayer</c> units and (1 − MaxLayerSparsity) of them, and its kept count
/// is rounded up to a multiple of <c>UnitMultiple</c>: never more is removed than asked.
/// </summary>
public static class UnitAllocation
{
    /// <returns>Per group, the removed unit indices in ascending order.</returns>
    public static int[][] Removed(IReadOnlyList<AllocationGroup> groups, double sparsity, LayerAllocation allocation,
        int minUnits, int multiple, double maxLayerSparsity)
    {
        var ceilings = groups.Select(g => MaxRemoved(g.Units, minUnits, maxLayerSparsity)).ToArray();
        var removed = groups.Select(_ => new List<int>()).ToArray();
        if (allocation == LayerAllocation.Global)
        {
            var target = MagnitudeSelection.CountFor(groups.Sum(g => g.Units * g.ParametersPerUnit), sparsity);
            var ranked = groups.SelectMany((g, i) => Standardise(g.Scores).Select((z, u) => (Z: z, Group: i, Unit: u)))
                .OrderBy(r => r.Z).ThenBy(r => r.Group).ThenBy(r => r.Unit);
            var removedParameters = 0L;
            foreach (var (_, group, unit) in ranked)
            {
                var cost = groups[group].ParametersPerUnit;
                // A unit goes when that lands nearer the target than keeping it would; smaller units may still fit after it.
                if (removed[group].Count >= ceilings[group] || removedParameters + cost - target > target - removedParameters) continue;
                removed[group].Add(unit);
                removedParameters += cost;
            }
        }
        else
        {
            for (var g = 0; g < groups.Count; g++)
            {
                var count = (int)Math.Min(MagnitudeSelection.CountFor(groups[g].Units, sparsity), ceilings[g]);
                removed[g].AddRange(Enumerable.Range(0, groups[g].Units).OrderBy(u => groups[g].Scores[u]).ThenBy(u => u).Take(count));
            }
        }

        return removed.Select((units, g) => RoundToMultiple(units, groups[g], multiple)).ToArray();
    }

    private static int MaxRemoved(int units, int minUnits, double maxLayerSparsity)
    {
        var floor = Math.Max(minUnits, units - (int)Math.Floor(units * maxLayerSparsity + 1e-9));
        return Math.Max(0, units - floor);
    }

    /// <summary>Keeps back the best-scoring removed units until the kept count is a multiple (or the whole group).</summary>
    private static int[] RoundToMultiple(List<int> removed, AllocationGroup group, int multiple)
    {
        var ordered = removed.OrderBy(u => group.Scores[u]).ThenBy(u => u).ToList();
        var kept = group.Units - ordered.Count;
        if (multiple > 1 && kept % multiple != 0)
        {
            var roundedKept = Math.Min(group.Units, ((kept + multiple - 1) / multiple) * multiple);
            ordered.RemoveRange(group.Units - roundedKept, ordered.Count - (group.Units - roundedKept));
        }

        return ordered.Order().ToArray();
    }

    private static double[] Standardise(double[] scores)
    {
        var mean = scores.Average();
        var std = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / scores.Length);
        return scores.Select(s => std == 0 ? 0 : (s - mean) / std).ToArray();
    }
}
