namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Perplexity exp(mean −log softmax(logits)[label]) over the labelled positions of [rows, vocabulary] logits,
/// each row's label being the token that follows it. Labels below zero (PyTorch's ignore index −100, padding)
/// are left out; null when no position is labelled.
/// </summary>
internal static class PerplexityMetric
{
    /// <summary>All rows in one batch (<see cref="PerplexityAccumulator"/> takes them batch by batch).</summary>
    public static double? Compute(ReadOnlySpan<double> logits, int vocabulary, ReadOnlySpan<long> labels)
    {
        var accumulator = new PerplexityAccumulator(vocabulary);
        accumulator.Add(logits, labels);
        return accumulator.Result();
    }
}
