using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Zeroes the k smallest |w| of a tensor in linear passes: digit histograms of the magnitude keys
/// (<see cref="MagnitudeKey"/>) narrow down the exact k-th magnitude, and a last pass zeroes everything
/// below it plus, in index order, as many weights equal to it as are still needed. Deterministic: ties go
/// to the lower index.
/// </summary>
internal static class MagnitudeSelection
{
    public static long CountFor(long parameters, double sparsity) =>
        (long)Math.Floor(parameters * sparsity + 0.5);

    /// <summary>Sets the <paramref name="k"/> smallest-magnitude entries of W to zero (the mask is implicit).</summary>
    public static void ZeroSmallest(Span<float> W, long k)
    {
        if (k <= 0) return;
        if (k >= W.Length)
        {
            W.Clear();
            return;
        }

        var (threshold, below) = KthSmallestKey(W, k);
        var magnitude = BitConverter.UInt32BitsToSingle(threshold);
        var ties = k - below;
        if (float.IsNaN(magnitude))
        {
            // NaN weights are ranked above infinity by key; plain float comparison cannot express that.
            for (var i = 0; i < W.Length; i++)
            {
                if (RowSelection.Key(W[i]) < threshold) W[i] = 0f;
            }
        }
        else
        {
            FloatSpans.ZeroBelow(W, magnitude);
        }

        for (var i = 0; i < W.Length && ties > 0; i++)
        {
            if (RowSelection.Key(W[i]) == threshold)
            {
                W[i] = 0f;
                ties--;
            }
        }
    }

    /// <summary>The key of the k-th smallest |w| (1-based k) and how many keys lie strictly below it.</summary>
    public static (uint Key, long Below) KthSmallestKey(ReadOnlySpan<float> W, long k)
    {
        Span<int> histogram = stackalloc int[MagnitudeKey.MaxBuckets];
        uint prefix = 0;
        long below = 0;
        for (var level = 0; level < MagnitudeKey.Levels; level++)
        {
            var counts = histogram[..MagnitudeKey.Buckets(level)];
            counts.Clear();
            MagnitudeKey.AddDigits(W, level, prefix, counts);
            var (digit, before) = Crossing(counts, k - below);
            prefix = MagnitudeKey.Extend(prefix, level, digit);
            below += before;
        }

        return (prefix, below);
    }

    /// <summary>The bucket where the running count reaches <paramref name="k"/>, and the count before it.</summary>
    private static (uint Bucket, long Below) Crossing(ReadOnlySpan<int> histogram, long k)
    {
        long below = 0;
        for (var bucket = 0; bucket < histogram.Length; bucket++)
        {
            if (below + histogram[bucket] >= k) return ((uint)bucket, below);
            below += histogram[bucket];
        }

        throw new ArgumentOutOfRangeException(nameof(k), "k exceeds the number of values");
    }
}
