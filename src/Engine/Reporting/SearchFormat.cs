using System.Globalization;
using ModelPrune.Engine.Search;

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

    public static bool IsQuantize(SearchReport search) => search.Knob == "quantize";

    /// <summary>The setting the user gave as "auto", as they wrote it.</summary>
    public static string Setting(SearchReport search) => IsQuantize(search) ? "Quantize" : "Sparsity";

    /// <summary>
    /// What the search chose: "57.5% sparse", or for Quantize="auto" the layers per precision and the bits per weight
    /// ("30 int4, 6 int8 layers, 5.41 bits per weight").
    /// </summary>
    public static string Chosen(PruneReport report, SearchReport search)
    {
        if (!IsQuantize(search)) return $"{ReportFormat.Percent(search.ChosenSparsity)} sparse";
        if (report.Quantization is null) return "no layer quantized";
        var counts = new[] { ("int4", 4), ("int8", 8) }
            .Select(level => (level.Item1, report.Layers.Count(l => l.Quantization is { Format: not "float" } q && q.Bits == level.Item2)))
            .Append(("float", report.Layers.Count(l => l.Quantization is { Format: "float" })))
            .Where(c => c.Item2 > 0)
            .Select(c => string.Create(Invariant, $"{c.Item2} {c.Item1}"));
        var bits = report.Quantization?.BitsPerWeight is { } b ? string.Create(Invariant, $", {b:0.##} bits per weight") : string.Empty;
        return $"{string.Join(", ", counts)} layers{bits}";
    }

    /// <summary>How a sensitivity entry reads: the metric's fall, or Quantize="auto"'s proxy (the layer's output error).</summary>
    public static string Fall(LayerSensitivity layer) =>
        layer.Worsening is { } worsening ? ReportFormat.Metric(worsening) : $"error {ReportFormat.Metric(layer.QuantizationError ?? 0)} (proxy)";

    public static string MetricOf(SearchReport search, LayerSensitivity layer) => layer.Metric is { } metric ? Value(search, metric) : "not measured";
}
