namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Perplexity exp(mean −log softmax(logits)[label]) over the labelled positions of [rows, vocabulary] logits,
/// each row's label being the token that follows it. Labels below zero (PyTorch's ignore index −100, padding)
/// are left out; null when no position is labelled.
/// </summary>
internal static class PerplexityMetric
{
    public static double? Compute(ReadOnlySpan<double> logits, int vocabulary, ReadOnlySpan<long> labels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        var rows = logits.Length / vocabulary;
        if (rows * vocabulary != logits.Length || labels.Length != rows)
        {
            throw new ArgumentException($"{logits.Length} logits and {labels.Length} labels are not [rows, {vocabulary}] and [rows].");
        }

        var logProbabilities = new double[vocabulary];
        double negativeLogLikelihood = 0;
        var counted = 0;
        for (var row = 0; row < rows; row++)
        {
            var label = labels[row];
            if (label < 0) continue;
            if (label >= vocabulary)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label {label} is outside the vocabulary of {vocabulary}.");
            }

            LogSoftmax.Row(logits.Slice(row * vocabulary, vocabulary), logProbabilities);
            negativeLogLikelihood -= logProbabilities[label];
            counted++;
        }

        return counted == 0 ? null : Math.Exp(negativeLogLikelihood / counted);
    }
}
