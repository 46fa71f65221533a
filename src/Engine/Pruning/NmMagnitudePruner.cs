namespace ModelPrune.Engine.Pruning;

/// <summary>
/// N:M magnitude pruning: in every group of M consecutive weights along the input axis, the N with the
/// smallest |w| become zero (ties: lower index first), as in the reference Wanda/SparseGPT N:M code.
/// </summary>
public static class NmMagnitudePruner
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
                        pruned[t] = false;
                    }

                    // N passes of "smallest remaining": M is small (4, 8), so this beats sorting.
                    for (var n = 0; n < N; n++)
                    {
                        var best = -1;
                        var bestMagnitude = float.PositiveInfinity;
                        for (var t = 0; t < M; t++)
                        {
                            if (pruned[t]) continue;
                            var a = MathF.Abs(W[(int)index[t]]);
                            if (best < 0 || a < bestMagnitude)
                            {
                                best = t;
                                bestMagnitude = a;
                            }
                        }

                        pruned[best] = true;
                        W[(int)index[best]] = 0f;
                    }
                }
            }
        }
    }
}
