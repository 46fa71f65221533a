namespace SentenceEmbeddings;

/// <summary>
/// Mean, minimum and 5th percentile of per-sentence cosines: the mean says how close the pruned model is
/// overall, the tail says whether some sentences break (which a mean near 1 can hide).
/// </summary>
internal sealed record CosineSummary(int Count, double Mean, double Min, double Percentile5)
{
    public static CosineSummary Of(IReadOnlyList<double> cosines)
    {
        if (cosines.Count == 0) throw new ArgumentException("no cosines to summarise", nameof(cosines));
        var sorted = cosines.Order().ToArray();
        // Linear interpolation between closest ranks, numpy.percentile's default, so the number matches a Python check.
        var rank = 0.05 * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        var percentile5 = sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
        return new CosineSummary(sorted.Length, cosines.Average(), sorted[0], percentile5);
    }

    public static double Between(float[] a, float[] b)
    {
        // Both are unit vectors, but we divide by the norms anyway so a zero-norm embedding reads as 0, not NaN.
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        return normA == 0 || normB == 0 ? 0 : dot / Math.Sqrt(normA * normB);
    }
}
