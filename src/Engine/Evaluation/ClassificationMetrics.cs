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

    /// <summary>Both outputs whole, in one batch (<see cref="ClassificationAccumulator"/> takes them batch by batch).</summary>
    public static ClassificationResult Compute(ReadOnlySpan<double> original, ReadOnlySpan<double> pruned, int classes, ReadOnlySpan<long> labels = default, bool probabilities = false)
    {
        var accumulator = new ClassificationAccumulator(classes, probabilities);
        accumulator.Add(original, pruned, labels);
        return accumulator.Result();
    }

    /// <summary>
    /// log of a row of probabilities, renormalised (a pruned softmax output still sums to 1 only within rounding);
    /// zeros are floored so that KL stays finite where the original gives a class no mass.
    /// </summary>
    public static void LogOfProbabilities(ReadOnlySpan<double> row, Span<double> log)
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
    public static int RankOf(ReadOnlySpan<double> values, int index)
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
