namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The perplexity of <see cref="PerplexityMetric"/>, summed batch by batch: the negative log-likelihood is one
/// variable that every labelled row adds to in order, so the result is the same to the bit as over the batches joined.
/// </summary>
internal sealed class PerplexityAccumulator
{
    private readonly int _vocabulary;
    private readonly double[] _logProbabilities;
    private double _negativeLogLikelihood;
    private long _counted;

    public PerplexityAccumulator(int vocabulary)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        _vocabulary = vocabulary;
        _logProbabilities = new double[vocabulary];
    }

    /// <summary>Adds whole rows of logits [rows, vocabulary] with their labels [rows].</summary>
    public void Add(ReadOnlySpan<double> logits, ReadOnlySpan<long> labels)
    {
        var vocabulary = _vocabulary;
        var rows = logits.Length / vocabulary;
        if (rows * vocabulary != logits.Length || labels.Length != rows)
        {
            throw new ArgumentException($"{logits.Length} logits and {labels.Length} labels are not [rows, {vocabulary}] and [rows].");
        }

        for (var row = 0; row < rows; row++)
        {
            var label = labels[row];
            if (label < 0) continue;
            if (label >= vocabulary)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label {label} is outside the vocabulary of {vocabulary}.");
            }

            LogSoftmax.Row(logits.Slice(row * vocabulary, vocabulary), _logProbabilities);
            _negativeLogLikelihood -= _logProbabilities[label];
            _counted++;
        }
    }

    /// <summary>Null when no row was labelled.</summary>
    public double? Result() => _counted == 0 ? null : Math.Exp(_negativeLogLikelihood / _counted);
}
