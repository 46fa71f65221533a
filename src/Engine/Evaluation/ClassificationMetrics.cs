namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Compares class scores row by row. Top-1 agreement: both models' argmax is the same class (ties to the lower
/// index, as numpy). Top-5 agreement: the original's answer is among the pruned model's five highest scores
/// (all classes when there are fewer than five). KL(P ‖ Q) of the softmax distributions is averaged over rows.
/// Labels below zero mark rows to leave out of the accuracy (PyTorch's ignore index is -100). Scores that already
/// are probabilities (a softmax output) are compared as they are: a second softmax would flatten them and make
/// KL look smaller than it is.
/// </summary>
internal static class ClassificationMetrics
{
    public const int TopK = 5;

    public static ClassificationResult Compute(ReadOnlySpan<double> original, ReadOnlySpan<double> pruned, int classes, ReadOnlySpan<long> labels = default, bool probabilities = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (original.Length != pruned.Length || original.Length % classes != 0)
        {
            throw new ArgumentException("Both outputs must hold the same whole number of rows.");
        }

        var rows = original.Length / classes;
        if (!labels.IsEmpty && labels.Length != rows)
        {
            throw new ArgumentException($"There are {labels.Length} labels for {rows} rows.");
        }

        var logP = new double[classes];
        var logQ = new double[classes];
        int top1 = 0, top5 = 0, labelled = 0, correctOriginal = 0, correctPruned = 0;
        double klSum = 0;
        for (var row = 0; row < rows; row++)
        {
            var y = original.Slice(row * classes, classes);
            var p = pruned.Slice(row * classes, classes);
            var answer = ArgMax(y);
            var prunedAnswer = ArgMax(p);
            if (answer == prunedAnswer) top1++;
            if (RankOf(p, answer) < TopK) top5++;

            if (probabilities)
            {
                LogOfProbabilities(y, logP);
                LogOfProbabilities(p, logQ);
            }
            else
            {
                LogSoftmax.Row(y, logP);
                LogSoftmax.Row(p, logQ);
            }

            double kl = 0;
            for (var c = 0; c < classes; c++)
            {
                kl += Math.Exp(logP[c]) * (logP[c] - logQ[c]);
            }

            // Rounding can leave a tiny negative sum for identical rows; KL is never below zero.
            klSum += Math.Max(0, kl);

            if (!labels.IsEmpty && labels[row] >= 0)
            {
                labelled++;
                if (answer == labels[row]) correctOriginal++;
                if (prunedAnswer == labels[row]) correctPruned++;
            }
        }

        if (rows == 0)
        {
            return new ClassificationResult(0, 1, 1, 0, null, null, 0);
        }

        return new ClassificationResult(
            rows,
            (double)top1 / rows,
            (double)top5 / rows,
            klSum / rows,
            labelled > 0 ? (double)correctOriginal / labelled : null,
            labelled > 0 ? (double)correctPruned / labelled : null,
            labelled);
    }

    /// <summary>
    /// log of a row of probabilities, renormalised (a pruned softmax output still sums to 1 only within rounding);
    /// zeros are floored so that KL stays finite where the original gives a class no mass.
    /// </summary>
    private static void LogOfProbabilities(ReadOnlySpan<double> row, Span<double> log)
    {
        const double Floor = 1e-30;
        double sum = 0;
        foreach (var v in row) sum += Math.Max(v, Floor);
        var logSum = Math.Log(sum);
        for (var c = 0; c < row.Length; c++) log[c] = Math.Log(Math.Max(row[c], Floor)) - logSum;
    }

    /// <summary>First index of the maximum, so ties go to the lowest index as in numpy.</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }

        return best;
    }

    /// <summary>How many classes rank before <paramref name="index"/> (higher score, or equal score at a lower index).</summary>
    private static int RankOf(ReadOnlySpan<double> values, int index)
    {
        var rank = 0;
        var value = values[index];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] > value || (values[i] == value && i < index)) rank++;
        }

        return rank;
    }
}
