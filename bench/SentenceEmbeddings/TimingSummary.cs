namespace SentenceEmbeddings;

/// <summary>
/// Median and quartiles of timed runs (milliseconds) or of per-round speed-ups: the median is the number reported,
/// the interquartile range says how noisy the machine was while it was measured.
/// </summary>
internal sealed record TimingSummary(int Runs, double Median, double Lower, double Upper)
{
    public static TimingSummary Of(IReadOnlyList<double> milliseconds)
    {
        if (milliseconds.Count == 0) throw new ArgumentException("no runs to summarise", nameof(milliseconds));
        var sorted = milliseconds.Order().ToArray();
        return new TimingSummary(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.25), Percentile(sorted, 0.75));
    }

    // Linear interpolation between closest ranks, numpy.percentile's default, as CosineSummary does.
    private static double Percentile(double[] sorted, double fraction)
    {
        var rank = fraction * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
