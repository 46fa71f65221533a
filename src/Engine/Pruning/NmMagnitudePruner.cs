namespace ModelPrune.Engine.Pruning;

/// <summary>
/// N:M magnitude pruning: in every group of M consecutive weights along the input axis, the N with the
/// smallest |w| become zero (ties: lower index first, NaN last: <see cref="RowSelection"/>), as in the
/// reference Wanda/SparseGPT N:M code.
/// </summary>
internal static class NmMagnitudePruner
{
    /// <summary>True when the input dimension splits into whole groups of M.</summary>
    public static bool Fits(InputAxisLayout layout, SparsityPattern pattern) =>
        pattern.IsNM && layout.Length % pattern.M == 0;

    public static void Prune(Span<float> W, InputAxisLayout layout, SparsityPattern pattern)
    {
        if (!Fits(layout, pattern))
        {
            throw new ArgumentException($"input dimension {layout.Length} is not a multiple of {pattern.M}");
        }

        var M = pattern.M;
        var N = pattern.N;
        var groups = layout.Length / M;
        Span<long> index = stackalloc long[M];
        Span<float> group = stackalloc float[M];
        Span<bool> pruned = stackalloc bool[M];
        for (long outer = 0; outer < layout.Outer; outer++)
        {
            for (long g = 0; g < groups; g++)
            {
                for (long inner = 0; inner < layout.Inner; inner++)
                {
                    for (var t = 0; t < M; t++)
                    {
                        index[t] = layout.Index(outer, g * M + t, inner);
                        group[t] = W[(int)index[t]];
                    }

                    // The group's M weights are strided in W; gathered, they are one group for the shared selection.
                    RowSelection.MarkSmallestPerGroup(group, N, M, pruned);
                    for (var t = 0; t < M; t++)
                    {
                        if (pruned[t]) W[(int)index[t]] = 0f;
                    }
                }
            }
        }
    }
}
