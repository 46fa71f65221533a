namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Global magnitude pruning: one threshold t over |W| of all layers, so layers with many small weights
/// give up more of them. The per-layer ceiling (MaxLayerSparsity) keeps any layer from collapsing: a layer
/// that would pass it stops there, and t rises until the model-wide target count is met exactly.
/// </summary>
public static class GlobalMagnitudePruner
{
    /// <summary>Returns the number of weights zeroed per layer; the layers' W arrays are pruned in place.</summary>
    public static long[] Prune(IReadOnlyList<LayerWeights> layers, double sparsity, double maxLayerSparsity)
    {
        var total = layers.Sum(l => (long)l.W.Length);
        var target = MagnitudeSelection.CountFor(total, sparsity);
        var ceilings = layers.Select(l => (long)Math.Floor(l.W.Length * maxLayerSparsity)).ToArray();

        var sorted = new float[layers.Count][];
        Parallel.For(0, layers.Count, l =>
        {
            var magnitudes = new float[layers[l].W.Length];
            for (var i = 0; i < magnitudes.Length; i++) magnitudes[i] = MathF.Abs(layers[l].W[i]);
            Array.Sort(magnitudes);
            sorted[l] = magnitudes;
        });

        // |w| >= 0, so the bit patterns of non-negative floats order like the values: bisect on them.
        var counts = new long[layers.Count];
        int lo = 0, hi = BitConverter.SingleToInt32Bits(float.PositiveInfinity);
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) >> 1);
            if (CountBelow(sorted, ceilings, BitConverter.Int32BitsToSingle(mid), counts) <= target) lo = mid;
            else hi = mid - 1;
        }

        var threshold = BitConverter.Int32BitsToSingle(lo);
        var assigned = CountBelow(sorted, ceilings, threshold, counts);

        // What is left are weights whose magnitude equals the threshold: hand them out in layer order.
        var remaining = target - assigned;
        for (var l = 0; l < layers.Count && remaining > 0; l++)
        {
            var equal = CountAtMost(sorted[l], threshold) - counts[l];
            var room = Math.Min(equal, ceilings[l] - counts[l]);
            var take = Math.Min(room, remaining);
            if (take <= 0) continue;
            counts[l] += take;
            remaining -= take;
        }

        Parallel.For(0, layers.Count, l => MagnitudeSelection.ZeroSmallest(layers[l].W, counts[l]));
        return counts;
    }

    private static long CountBelow(float[][] sorted, long[] ceilings, float threshold, long[] counts)
    {
        long sum = 0;
        for (var l = 0; l < sorted.Length; l++)
        {
            counts[l] = Math.Min(LowerBound(sorted[l], threshold), ceilings[l]);
            sum += counts[l];
        }

        return sum;
    }

    private static long CountAtMost(float[] sorted, float value)
    {
        var next = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) + 1);
        return LowerBound(sorted, next);
    }

    /// <summary>Number of entries strictly below <paramref name="value"/>.</summary>
    private static long LowerBound(float[] sorted, float value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (sorted[mid] < value) lo = mid + 1;
            else hi = mid;
        }

        return lo;
    }
}
