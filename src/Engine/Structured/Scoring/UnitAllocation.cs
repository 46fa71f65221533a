using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Structured.Scoring;

/// <summary>
/// Which units each group loses. Uniform: every group loses the same fraction of its units. Global (FLAP's adaptive
/// structure): scores are standardised per group, (S − mean) / std, so that layers of different scale compare, then
/// ranked across all groups, and units go from the lowest up. Either way the amount is set by parameters, not units:
/// a weight between two pruned groups loses rows to one and columns to the other (half the filters of two
/// consecutive Convs is three quarters of the second Conv's weight), so the allocation asks
/// <c>removedParameters</c> what each candidate really removes and takes the one nearest the target. Each group
/// keeps at least <c>MinUnitsPerLayer</c> units and (1 − MaxLayerSparsity) of them, and keeps a multiple of
/// <c>UnitMultiple</c> (each candidate's kept counts are rounded up to one before it is measured, and the candidate
/// nearest the target wins).
/// </summary>
internal static class UnitAllocation
{
    /// <param name="scores">Per group, a score per unit; low scores go first.</param>
    /// <param name="removedParameters">The parameters removed when each group loses the given number of units.</param>
    /// <param name="targetParameters">How many parameters to remove.</param>
    /// <returns>Per group, the removed unit indices in ascending order.</returns>
    public static int[][] Removed(IReadOnlyList<double[]> scores, Func<IReadOnlyList<int>, long> removedParameters, long targetParameters,
        LayerAllocation allocation, int minUnits, int multiple, double maxLayerSparsity)
    {
        var units = scores.Select(s => s.Length).ToArray();
        var ceilings = units.Select(u => MaxRemoved(u, minUnits, maxLayerSparsity)).ToArray();
        var byScore = scores.Select(s => Enumerable.Range(0, s.Length).OrderBy(u => s[u]).ThenBy(u => u).ToArray()).ToArray();

        // Candidate removal counts, from none upwards; each is rounded to the multiple before it is measured.
        var candidates = allocation == LayerAllocation.Global ? GlobalCandidates(scores, ceilings) : UniformCandidates(units, ceilings);
        var best = new int[scores.Count];
        var bestDistance = long.MaxValue;
        foreach (var counts in candidates)
        {
            var rounded = counts.Select((c, g) => RoundToMultiple(c, units[g], multiple)).ToArray();
            var distance = Math.Abs(removedParameters(rounded) - targetParameters);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (rounded, distance);
            }
        }

        return best.Select((count, g) => byScore[g].Take(count).Order().ToArray()).ToArray();
    }

    /// <summary>The same fraction of every group, at each fraction where some group's count changes.</summary>
    private static IEnumerable<int[]> UniformCandidates(int[] units, int[] ceilings)
    {
        var fractions = units.SelectMany(u => Enumerable.Range(0, u + 1).Select(k => (double)k / u)).Distinct().Order();
        foreach (var fraction in fractions)
        {
            yield return units.Select((u, g) => (int)Math.Min(MagnitudeSelection.CountFor(u, fraction), ceilings[g])).ToArray();
        }
    }

    /// <summary>Every prefix of the units ranked by their standardised score across groups.</summary>
    private static IEnumerable<int[]> GlobalCandidates(IReadOnlyList<double[]> scores, int[] ceilings)
    {
        // Within a group, standardising keeps the order, so taking a prefix of the ranking takes each group's lowest.
        var ranked = scores.SelectMany((s, g) => Standardise(s).Select((z, u) => (Z: z, Group: g, Unit: u)))
            .OrderBy(r => r.Z).ThenBy(r => r.Group).ThenBy(r => r.Unit);
        var counts = new int[scores.Count];
        yield return (int[])counts.Clone();
        foreach (var (_, group, _) in ranked)
        {
            if (counts[group] >= ceilings[group]) continue;
            counts[group]++;
            yield return (int[])counts.Clone();
        }
    }

    private static int MaxRemoved(int units, int minUnits, double maxLayerSparsity)
    {
        var floor = Math.Max(minUnits, units - (int)Math.Floor(units * maxLayerSparsity + 1e-9));
        return Math.Max(0, units - floor);
    }

    /// <summary>Fewer units removed until the kept count is a multiple, or the whole group.</summary>
    private static int RoundToMultiple(int removed, int units, int multiple)
    {
        var kept = units - removed;
        if (multiple <= 1 || kept % multiple == 0) return removed;
        return units - Math.Min(units, ((kept + multiple - 1) / multiple) * multiple);
    }

    private static double[] Standardise(double[] scores)
    {
        var mean = scores.Average();
        var std = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / scores.Length);
        return scores.Select(s => std == 0 ? 0 : (s - mean) / std).ToArray();
    }
}
