namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The class-score metrics of <see cref="ClassificationMetrics"/>, counted and summed batch by batch: the KL sum is
/// one variable that every row adds to in order, so the result is the same to the bit as over the batches joined.
/// </summary>
internal sealed class ClassificationAccumulator
{
    private readonly int _classes;
    private readonly bool _probabilities;
    private readonly double[] _logP;
    private readonly double[] _logQ;
    private int _rows, _top1, _top5, _labelled, _correctOriginal, _correctPruned;
    private double _klSum;

    /// <param name="probabilities">The scores already are probabilities (a softmax output): compared as they are.</param>
    public ClassificationAccumulator(int classes, bool probabilities)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        _classes = classes;
        _probabilities = probabilities;
        _logP = new double[classes];
        _logQ = new double[classes];
    }

    /// <summary>Adds whole rows of both models' scores; <paramref name="labels"/> holds one per row, or none.</summary>
    public void Add(ReadOnlySpan<double> original, ReadOnlySpan<double> pruned, ReadOnlySpan<long> labels = default)
    {
        var classes = _classes;
        if (original.Length != pruned.Length || original.Length % classes != 0)
        {
            throw new ArgumentException("Both outputs must hold the same whole number of rows.");
        }

        var rows = original.Length / classes;
        if (!labels.IsEmpty && labels.Length != rows)
        {
            throw new ArgumentException($"There are {labels.Length} labels for {rows} rows.");
        }

        for (var row = 0; row < rows; row++)
        {
            var y = original.Slice(row * classes, classes);
            var p = pruned.Slice(row * classes, classes);
            var answer = ClassificationMetrics.ArgMax(y);
            var prunedAnswer = ClassificationMetrics.ArgMax(p);
            if (answer == prunedAnswer) _top1++;
            if (ClassificationMetrics.RankOf(p, answer) < ClassificationMetrics.TopK) _top5++;

            if (_probabilities)
            {
                ClassificationMetrics.LogOfProbabilities(y, _logP);
                ClassificationMetrics.LogOfProbabilities(p, _logQ);
            }
            else
            {
                LogSoftmax.Row(y, _logP);
                LogSoftmax.Row(p, _logQ);
            }

            double kl = 0;
            for (var c = 0; c < classes; c++)
            {
                kl += Math.Exp(_logP[c]) * (_logP[c] - _logQ[c]);
            }

            // Rounding can leave a tiny negative sum for identical rows; KL is never below zero.
            _klSum += Math.Max(0, kl);

            if (!labels.IsEmpty && labels[row] >= 0)
            {
                _labelled++;
                if (answer == labels[row]) _correctOriginal++;
                if (prunedAnswer == labels[row]) _correctPruned++;
            }
        }

        _rows += rows;
    }

    public ClassificationResult Result()
    {
        if (_rows == 0)
        {
            return new ClassificationResult(0, 1, 1, 0, null, null, 0);
        }

        return new ClassificationResult(
            _rows,
            (double)_top1 / _rows,
            (double)_top5 / _rows,
            _klSum / _rows,
            _labelled > 0 ? (double)_correctOriginal / _labelled : null,
            _labelled > 0 ? (double)_correctPruned / _labelled : null,
            _labelled);
    }
}
