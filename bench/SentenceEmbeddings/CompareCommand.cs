using System.Globalization;

namespace SentenceEmbeddings;

/// <summary>How far a pruned model's sentence embeddings moved from the dense model's, sentence by sentence.</summary>
internal static class CompareCommand
{
    public static int Run(string densePath, string prunedPath, string heldOutPath, bool tabSeparated)
    {
        var sentences = SentenceFile.Read(heldOutPath);
        var batch = MiniLmTokenizer.Create().EncodeBatch(sentences);

        float[][] dense, pruned;
        using (var embedder = new SentenceEmbedder(densePath)) dense = embedder.Embed(batch);
        using (var embedder = new SentenceEmbedder(prunedPath)) pruned = embedder.Embed(batch);

        var cosines = dense.Zip(pruned, CosineSummary.Between).ToArray();
        var summary = CosineSummary.Of(cosines);
        var invariant = CultureInfo.InvariantCulture;
        if (tabSeparated)
        {
            // For bench/sentences.sh: count, mean, p5, min.
            Console.WriteLine(string.Create(invariant, $"{summary.Count}\t{summary.Mean:F6}\t{summary.Percentile5:F6}\t{summary.Min:F6}"));
        }
        else
        {
            var worst = Array.IndexOf(cosines, summary.Min);
            Console.WriteLine(string.Create(invariant, $"{Path.GetFileName(prunedPath)} vs {Path.GetFileName(densePath)} on {summary.Count} sentences: mean cosine {summary.Mean:F6}, p5 {summary.Percentile5:F6}, min {summary.Min:F6}"));
            Console.WriteLine($"  least similar: {sentences[worst]}");
        }

        return 0;
    }
}
