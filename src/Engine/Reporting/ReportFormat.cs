using System.Globalization;
using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Reporting;

/// <summary>Number formats shared by the Markdown report and the build summary line; invariant everywhere.</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A fraction as a percentage with one decimal: 0.4 → <c>40.0%</c>.</summary>
    public static string Percent(double fraction)
    {
        var percent = Math.Round(fraction * 100, 1, MidpointRounding.AwayFromZero);
        // Avoid "-0.0%" for tiny negative noise.
        return (percent == 0 ? 0 : percent).ToString("F1", Invariant) + "%";
    }

    /// <summary>A deviation metric with 3 significant digits: enough to compare, short enough to read.</summary>
    public static string Metric(double value)
    {
        if (value >= DeviationMetrics.Unbounded)
        {
            return "inf";
        }

        return value == 0 ? "0" : value.ToString("G3", Invariant);
    }

    /// <summary>Cosine lives near 1, where 3 significant digits would round every difference away.</summary>
    public static string Cosine(double value) => value.ToString("F6", Invariant);

    public static string Count(long value) => value.ToString("N0", Invariant);

    public static string Bytes(long bytes)
    {
        string[] units = { "KiB", "MiB", "GiB", "TiB" };
        if (bytes < 1024)
        {
            return bytes.ToString(Invariant) + " B";
        }

        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("F1", Invariant) + " " + units[unit];
    }

    public static string Shape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(Invariant))) + "]";

    /// <summary>A layer's shape, and its shape after structured pruning where that changed it.</summary>
    public static string Shape(LayerReport layer) =>
        layer.ShapeAfter is { } after && !after.SequenceEqual(layer.Shape) ? $"{Shape(layer.Shape)} → {Shape(after)}" : Shape(layer.Shape);

    /// <summary>"flap, neurons" for structured runs, "wanda, 2:4" otherwise.</summary>
    public static string MethodAndPattern(PruneReport report) =>
        $"{report.Settings.Method}, {report.Structured?.Structure ?? report.Settings.Pattern}";

    /// <summary>What the run achieved: parameters removed for structured runs, zeros in the pruned layers otherwise.</summary>
    public static double Achieved(PruneReport report) => report.Structured?.RemovedFraction ?? report.Totals.PrunableSparsity;

    public static string Milliseconds(double value) =>
        Math.Round(value, 1, MidpointRounding.AwayFromZero).ToString("F1", Invariant) + " ms";

    /// <summary>Latencies of small models are fractions of a millisecond: three decimals.</summary>
    public static string FineMilliseconds(double value) => value.ToString("0.000", Invariant) + " ms";

    public static double? WorstRelativeL2(PruneReport report) =>
        report.Evaluation.Outputs.Count == 0 ? null : report.Evaluation.Outputs.Max(o => o.RelativeL2);

    public static double? WorstCosine(PruneReport report) =>
        report.Evaluation.Outputs.Count == 0 ? null : report.Evaluation.Outputs.Min(o => o.Cosine);

    public static double? WorstTop1(PruneReport report)
    {
        var values = report.Evaluation.Outputs.Where(o => o.Top1Agreement.HasValue).Select(o => o.Top1Agreement!.Value).ToList();
        return values.Count == 0 ? null : values.Min();
    }

    /// <summary>Keeps a table row intact when text contains a pipe or a line break.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");

    /// <summary>Names as code spans, so underscores and asterisks in layer names are not read as emphasis.</summary>
    public static string Code(string text) => "`" + Cell(text).Replace("`", "'") + "`";
}
