namespace ModelPrune.Engine.Evaluation;

/// <summary>Row-wise log-softmax of scores, shifted by the row maximum so large logits do not overflow exp.</summary>
internal static class LogSoftmax
{
    /// <summary>Writes log softmax(scores[start..start+count]) into <paramref name="destination"/>.</summary>
    public static void Row(ReadOnlySpan<double> scores, Span<double> destination)
    {
        var max = double.NegativeInfinity;
        foreach (var value in scores)
        {
            max = Math.Max(max, value);
        }

        double sum = 0;
        foreach (var value in scores)
        {
            sum += Math.Exp(value - max);
        }

        var logSum = max + Math.Log(sum);
        for (var i = 0; i < scores.Length; i++)
        {
            destination[i] = scores[i] - logSum;
        }
    }
}
