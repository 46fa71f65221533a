using System.Globalization;

namespace ModelPrune.Engine.Reporting;

/// <summary>How the search's numbers read in the summary line, the Markdown and the HTML page.</summary>
internal static class SearchFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Accuracy and agreements are shares; the others (cosine, perplexity, rel. L2) are plain numbers.</summary>
    public static bool IsShare(SearchReport search) => search.Metric.Contains("accuracy", StringComparison.Ordinal) || search.Metric.Contains("agreement", StringComparison.Ordinal);

    public static string Value(SearchReport search, double value) => IsShare(search) ? ReportFormat.Percent(value) : ReportFormat.Metric(value);

    /// <summary>"accuracy 96.5%": the metric's name with a value.</summary>
    public static string Metric(SearchReport search, double value) => $"{search.Metric} {Value(search, value)}";

    /// <summary>
    /// The target as the user wrote it: points for a share (<c>1.0</c> for MaxMetricDrop 0.01 on accuracy), the amount
    /// for other metrics, a percentage of the original when relative.
    /// </summary>
    public static string AllowedDrop(SearchReport search)
    {
        if (search.DropType == "relative") return (search.MaxMetricDrop * 100).ToString("0.###", Invariant) + "%";
        return IsShare(search) ? (search.MaxMetricDrop * 100).ToString("0.0##", Invariant) : search.MaxMetricDrop.ToString("0.######", Invariant);
    }

    /// <summary>The lowest value the target allows (the highest, for metrics where lower is better).</summary>
    public static double Threshold(SearchReport search) =>
        search.Metric is "perplexity" or "rel. L2" ? search.OriginalValue + search.AllowedDrop : search.OriginalValue - search.AllowedDrop;
}
