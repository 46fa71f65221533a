using System.Buffers;

namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Zeroes the k smallest |w| of a tensor in O(n): quickselect finds the k-th magnitude, everything below
/// it goes, and ties at the threshold go in index order, so the result is deterministic.
/// </summary>
public static class MagnitudeSelection
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

        var magnitudes = ArrayPool<float>.Shared.Rent(W.Length);
        float threshold;
        try
        {
            for (var i = 0; i < W.Length; i++) magnitudes[i] = MathF.Abs(W[i]);
            threshold = KthSmallest(magnitudes.AsSpan(0, W.Length), (int)(k - 1));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(magnitudes);
        }

        long below = 0;
        for (var i = 0; i < W.Length; i++)
        {
            if (MathF.Abs(W[i]) < threshold) below++;
        }

        var tiesToZero = k - below;
        for (var i = 0; i < W.Length; i++)
        {
            var a = MathF.Abs(W[i]);
            if (a < threshold)
            {
                W[i] = 0f;
            }
            else if (a == threshold && tiesToZero > 0)
            {
                W[i] = 0f;
                tiesToZero--;
            }
        }
    }

    /// <summary>Hoare quickselect with a median-of-three pivot; reorders <paramref name="values"/>.</summary>
    public static float KthSmallest(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var pivot = MedianOfThree(values[lo], values[mid], values[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }

        return values[k];
    }

    private static float MedianOfThree(float a, float b, float c) =>
        a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
}
