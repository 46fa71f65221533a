namespace ModelPrune.Engine.Pruning.Wanda;

/// <summary>
/// Allocation "global" for the calibrated methods: one threshold t on Wanda's scores S = |W|·‖X‖ over every
/// layer, so a layer loses as many weights as it has scores below t, held between a floor and a ceiling of its
/// size. The counts add up to the requested total exactly; ties at t are given out in layer order. The layers
/// then prune their count with their own method (per output row for Wanda, SparseGPT's blocks), so t decides
/// how much each layer loses, not which weights.
/// </summary>
internal static class GlobalScoreAllocator
{
    /// <param name="scores">Each layer's scores, in any order; they must be non-negative (not NaN). Not modified.</param>
    /// <param name="totalZeros">Weights to prune over all layers; clamped to what the floors and ceilings allow.</param>
    /// <param name="floor">The least fraction of each layer to prune.</param>
    /// <param name="ceiling">The largest fraction of each layer to prune.</param>
    /// <returns>The number of weights each layer prunes.</returns>
    public static long[] Allocate(IReadOnlyList<float[]> scores, long totalZeros, double floor, double ceiling)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (!(floor >= 0 && floor <= ceiling && ceiling <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(floor), $"need 0 <= floor ({floor}) <= ceiling ({ceiling}) <= 1");
        }

        var sorted = scores.Select(s =>
        {
            var copy = (float[])s.Clone();
            Array.Sort(copy);
            if (copy.Length > 0 && !(copy[0] >= 0)) throw new ArgumentException("scores must be non-negative numbers", nameof(scores));
            return copy;
        }).ToArray();
        var low = sorted.Select(s => (long)Math.Ceiling(s.Length * floor)).ToArray();
        var high = sorted.Select((s, l) => Math.Max(low[l], (long)Math.Floor(s.Length * ceiling))).ToArray();
        var target = Math.Clamp(totalZeros, low.Sum(), high.Sum());

        // The smallest threshold whose clamped "≤ t" counts reach the target. Non-negative floats order like their bits.
        uint lowBits = 0, highBits = BitConverter.SingleToUInt32Bits(float.PositiveInfinity);
        while (lowBits < highBits)
        {
            var middle = lowBits + ((highBits - lowBits) / 2);
            if (Count(sorted, low, high, BitConverter.UInt32BitsToSingle(middle), inclusive: true) >= target) highBits = middle;
            else lowBits = middle + 1;
        }

        var threshold = BitConverter.UInt32BitsToSingle(lowBits);
        var zeros = new long[sorted.Length];
        var remaining = target;
        for (var l = 0; l < sorted.Length; l++)
        {
            zeros[l] = Math.Clamp(UpperBound(sorted[l], threshold, inclusive: false), low[l], high[l]);
            remaining -= zeros[l];
        }

        for (var l = 0; l < sorted.Length && remaining > 0; l++)
        {
            var atThreshold = Math.Clamp(UpperBound(sorted[l], threshold, inclusive: true), low[l], high[l]) - zeros[l];
            var extra = Math.Min(atThreshold, remaining);
            zeros[l] += extra;
            remaining -= extra;
        }

        return zeros;
    }

    private static long Count(float[][] sorted, long[] low, long[] high, float threshold, bool inclusive)
    {
        long total = 0;
        for (var l = 0; l < sorted.Length; l++) total += Math.Clamp(UpperBound(sorted[l], threshold, inclusive), low[l], high[l]);
        return total;
    }

    /// <summary>How many of the sorted values are below (or, inclusive, at most) the threshold.</summary>
    private static long UpperBound(float[] sorted, float threshold, bool inclusive)
    {
        int lowIndex = 0, highIndex = sorted.Length;
        while (lowIndex < highIndex)
        {
            var middle = (lowIndex + highIndex) >>> 1;
            if (inclusive ? sorted[middle] <= threshold : sorted[middle] < threshold) lowIndex = middle + 1;
            else highIndex = middle;
        }

        return lowIndex;
    }
}
