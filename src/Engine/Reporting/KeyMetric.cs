namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The one metric a reader looks at first, from the first output judged by a task of its own (the generic
/// deviation of the worst output otherwise): accuracy before → after when there were labels, else agreement,
/// embedding cosine, or perplexity before → after.
/// </summary>
internal static class KeyMetric
{
    public static string? Describe(PruneReport report, string arrow)
    {
        var outputs = report.Evaluation.Outputs;
        var primary = outputs.FirstOrDefault(o => o.Task is not (null or "regression"));
        if (primary is not null)
        {
            if (primary.AccuracyOriginal is { } before && primary.AccuracyPruned is { } after)
            {
                return $"accuracy {ReportFormat.Percent(before)} {arrow} {ReportFormat.Percent(after)}";
            }

            if (primary.PerplexityOriginal is { } perplexityBefore && primary.PerplexityPruned is { } perplexityAfter)
            {
                return $"perplexity {ReportFormat.Metric(perplexityBefore)} {arrow} {ReportFormat.Metric(perplexityAfter)}";
            }

            if (primary.MeanItemCosine is { } cosine)
            {
                return $"embedding cosine {ReportFormat.Cosine(cosine)}";
            }

            if (primary.Top1Agreement is { } agreement)
            {
                return primary.Task == Evaluation.EvaluationTaskNames.TokenClassification
                    ? $"per-position top-1 agreement {ReportFormat.Percent(agreement)}"
                    : $"top-1 agreement {ReportFormat.Percent(agreement)}";
            }
        }

        if (ReportFormat.WorstTop1(report) is { } top1)
        {
            return $"top-1 agreement {ReportFormat.Percent(top1)}";
        }

        return ReportFormat.WorstRelativeL2(report) is { } relativeL2 ? $"rel. L2 {ReportFormat.Metric(relativeL2)}" : null;
    }

    /// <summary>
    /// The same choice as <see cref="Describe"/> as one number, for curves: the pruned model's accuracy or
    /// perplexity, the embedding cosine, the top-1 agreement, else the worst output's relative L2.
    /// </summary>
    public static (string Name, double Value)? Numeric(EvaluationReport evaluation)
    {
        var primary = evaluation.Outputs.FirstOrDefault(o => o.Task is not (null or "regression"));
        if (primary?.AccuracyPruned is { } accuracy) return ("accuracy", accuracy);
        if (primary?.PerplexityPruned is { } perplexity) return ("perplexity", perplexity);
        if (primary?.MeanItemCosine is { } cosine) return ("embedding cosine", cosine);
        if (primary?.Top1Agreement is { } agreement) return ("top-1 agreement", agreement);
        var top1 = evaluation.Outputs.Where(o => o.Top1Agreement.HasValue).Select(o => o.Top1Agreement!.Value).DefaultIfEmpty(double.NaN).Min();
        if (!double.IsNaN(top1)) return ("top-1 agreement", top1);
        return evaluation.Outputs.Count == 0 ? null : ("rel. L2", evaluation.Outputs.Max(o => o.RelativeL2));
    }

    /// <summary>"68.6 KiB -> 35.2 KiB", gzip-compressed when asked and known (raw otherwise).</summary>
    public static string Size(PruneReport report, string arrow, bool compressed) =>
        compressed && report.Cost is { } cost
            ? $"{ReportFormat.Bytes(cost.GzipBytesBefore)} {arrow} {ReportFormat.Bytes(cost.GzipBytesAfter)}"
            : $"{ReportFormat.Bytes(report.Cost?.BytesBefore ?? report.Input.Bytes)} {arrow} {ReportFormat.Bytes(report.Cost?.BytesAfter ?? report.Output.Bytes)}";
}
