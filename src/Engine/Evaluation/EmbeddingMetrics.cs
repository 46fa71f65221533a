namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Compares two sets of item embeddings [items, width] row by row. The 5th percentile interpolates linearly
/// between the sorted values (numpy's default). Nearest neighbours are by cosine similarity among the other
/// items of the same model, ties to the lower index. A zero vector has cosine 1 to a zero vector and 0 to anything else.
/// </summary>
internal static class EmbeddingMetrics
{
    public static EmbeddingResult Compute(ReadOnlySpan<double> original, ReadOnlySpan<double> pruned, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (original.Length != pruned.Length || original.Length % width != 0)
        {
            throw new ArgumentException("Both embeddings must hold the same whole number of items.");
        }

        var items = original.Length / width;
        if (items == 0)
        {
            return new EmbeddingResult(0, 1, 1, null);
        }

        var cosines = new double[items];
        for (var i = 0; i < items; i++)
        {
            cosines[i] = Cosine(original.Slice(i * width, width), pruned.Slice(i * width, width));
        }

        var mean = cosines.Average();
        Array.Sort(cosines);
        return new EmbeddingResult(items, mean, Percentile(cosines, 0.05), NeighbourAgreement(original, pruned, items, width));
    }

    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }

        if (normA == 0 && normB == 0) return 1;
        if (normA == 0 || normB == 0) return 0;
        return Math.Clamp(dot / Math.Sqrt(normA * normB), -1.0, 1.0);
    }

    /// <summary>Linear interpolation between closest ranks of an ascending array, as numpy.percentile.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0) throw new ArgumentException("No values.", nameof(sorted));
        var position = fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    private static double? NeighbourAgreement(ReadOnlySpan<double> original, ReadOnlySpan<double> pruned, int items, int width)
    {
        if (items < 2) return null;
        var before = NearestNeighbours(original, items, width);
        var after = NearestNeighbours(pruned, items, width);
        var same = 0;
        for (var i = 0; i < items; i++)
        {
            if (before[i] == after[i]) same++;
        }

        return (double)same / items;
    }

    private static int[] NearestNeighbours(ReadOnlySpan<double> embeddings, int items, int width)
    {
        var nearest = new int[items];
        for (var i = 0; i < items; i++)
        {
            var best = -1;
            var bestSimilarity = double.NegativeInfinity;
            var item = embeddings.Slice(i * width, width);
            for (var j = 0; j < items; j++)
            {
                if (j == i) continue;
                var similarity = Cosine(item, embeddings.Slice(j * width, width));
                if (similarity > bestSimilarity)
                {
                    best = j;
                    bestSimilarity = similarity;
                }
            }

            nearest[i] = best;
        }

        return nearest;
    }
}
