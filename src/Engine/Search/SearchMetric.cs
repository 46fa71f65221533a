using ModelPrune.Engine.Baseline;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Search;

/// <summary>
/// The key metric a search holds to its target, with the original model's value beside it: the same choice as
/// <see cref="KeyMetric.Numeric"/> (accuracy, perplexity, embedding cosine, top-1 agreement, relative L2), read from
/// the report field the baseline gate compares (<see cref="Field"/> of output <see cref="Output"/>), so the
/// search and the gate judge the same number.
/// </summary>
internal sealed record SearchMetric(string Name, string Output, string Field, double Original, double Value, bool HigherIsBetter)
{
    /// <summary>Null when no output gives a metric a target can apply to (no outputs at all).</summary>
    public static SearchMetric? From(EvaluationReport evaluation)
    {
        var primary = evaluation.Outputs.FirstOrDefault(o => o.Task is not (null or EvaluationTaskNames.Regression));
        if (primary is not null)
        {
            if (primary.AccuracyOriginal is { } before && primary.AccuracyPruned is { } after)
                return new("accuracy", primary.Name, "accuracyPruned", before, after, HigherIsBetter: true);
            if (primary.PerplexityOriginal is { } perplexityBefore && primary.PerplexityPruned is { } perplexityAfter)
                return new("perplexity", primary.Name, "perplexityPruned", perplexityBefore, perplexityAfter, HigherIsBetter: false);
            if (primary.MeanItemCosine is { } cosine)
                return new("embedding cosine", primary.Name, "meanItemCosine", 1, cosine, HigherIsBetter: true);
            if (primary.Top1Agreement is { } agreement)
                return new(primary.Task == EvaluationTaskNames.TokenClassification ? "per-position top-1 agreement" : "top-1 agreement",
                    primary.Name, "top1Agreement", 1, agreement, HigherIsBetter: true);
        }

        var worstTop1 = evaluation.Outputs.Where(o => o.Top1Agreement.HasValue).OrderBy(o => o.Top1Agreement!.Value).FirstOrDefault();
        if (worstTop1 is not null) return new("top-1 agreement", worstTop1.Name, "top1Agreement", 1, worstTop1.Top1Agreement!.Value, HigherIsBetter: true);
        var worstL2 = evaluation.Outputs.OrderByDescending(o => o.RelativeL2).FirstOrDefault();
        return worstL2 is null ? null : new("rel. L2", worstL2.Name, "relativeL2", 0, worstL2.RelativeL2, HigherIsBetter: false);
    }

    /// <summary>How much worse than the original (positive: worse), in the metric's own units.</summary>
    public double Worsening => HigherIsBetter ? Original - Value : Value - Original;

    /// <summary>
    /// Within <paramref name="tolerance"/> of the original, decided exactly as the baseline gate decides it (the same
    /// allowance and the same slack for the last bit of a subtraction of 6-digit values).
    /// </summary>
    public bool Keeps(Tolerance tolerance)
    {
        var slack = 1e-12 * Math.Max(1, Math.Max(Math.Abs(Original), Math.Abs(Value)));
        return Worsening <= tolerance.AllowedWorseningFrom(Original) + slack;
    }

    /// <summary>Accuracy and agreements are read as percentages, the rest as they are.</summary>
    public bool IsFraction => Name.Contains("accuracy", StringComparison.Ordinal) || Name.Contains("agreement", StringComparison.Ordinal);
}
