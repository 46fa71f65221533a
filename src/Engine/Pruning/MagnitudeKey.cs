namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Digit histograms of |w|'s order key (<see cref="RowSelection.Key"/>: the float's bits without the sign, an
/// unsigned integer that sorts like |w|). Selecting by histograms of these keys, one digit at a time (bits
/// 30-21, 20-10, 9-0), finds the k-th smallest magnitude in three nearly branch-free passes, where a comparison-based select spends most of its time on
/// mispredicted branches. Histograms of at most 2048 counters stay in the L1 cache.
/// NaN keys lie above infinity, so a NaN weight is the last to be pruned (<see cref="RowSelection"/>'s NaN rule).
/// </summary>
internal static class MagnitudeKey
{
    public const int MaxBuckets = 1 << 11;

    private static readonly (int Shift, int Bits)[] Digits = { (21, 10), (10, 11), (0, 10) };

    public static int Levels => Digits.Length;

    public static int Buckets(int level) => 1 << Digits[level].Bits;

    /// <summary>Counts, by this level's digit, the keys whose higher digits equal <paramref name="prefix"/>.</summary>
    public static void AddDigits(ReadOnlySpan<float> W, int level, uint prefix, Span<int> histogram)
    {
        var (shift, bits) = Digits[level];
        var above = shift + bits;
        var mask = (1u << bits) - 1;
        foreach (var w in W)
        {
            var key = RowSelection.Key(w);
            if (key >> above == prefix) histogram[(int)((key >> shift) & mask)]++;
        }
    }

    public static uint Extend(uint prefix, int level, uint digit) => (prefix << Digits[level].Bits) | digit;
}
