using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Compares one output of the pruned model with the original's. Everything is summed in double and
/// rounded to 6 significant digits. Where the true value is infinite (the original is all zeros but the
/// pruned output is not, or one side has NaN/Inf where the other has a different value),
/// <see cref="Unbounded"/> stands in, because the report is JSON and JSON has no infinity. [batch, classes]
/// floating-point outputs also get the share of rows whose argmax agrees. Strings have no distance: the share of
/// differing elements stands in for relative L2. The sums are <see cref="DeviationAccumulator"/>'s, which the
/// evaluation feeds batch by batch.
/// </summary>
internal static class DeviationMetrics
{
    /// <summary>Near double.MaxValue, and already at 6 significant digits so rounding keeps it recognisable.</summary>
    public const double Unbounded = 1.79769e308;

    /// <summary>Both outputs whole, in one batch.</summary>
    public static OutputDeviation Compare(CapturedOutput original, CapturedOutput pruned)
    {
        var deviation = new DeviationAccumulator(original.Name, original.Type, original.Shape);
        deviation.Add(original, pruned);
        return deviation.Result();
    }
}
