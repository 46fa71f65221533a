using System.Text;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The one line a build prints per model, e.g.
/// <c>ModelPrune: Models/a.onnx -> 40.0% sparse (wanda, unstructured), top-1 agreement 99.1%, 12.4 MiB -> 7.9 MiB gz</c>.
/// </summary>
internal static class SummaryLine
{
    public static string Format(string displayName, PruneReport report, string cache)
    {
        ArgumentNullException.ThrowIfNull(report);
        var line = new StringBuilder();
        line.Append("ModelPrune: ").Append(displayName).Append(" -> ");
        if (report.Structured is { } structured)
        {
            // Structured runs remove parameters; what matters is how many went, not how many zeros remain.
            line.Append(ReportFormat.Percent(structured.RemovedFraction)).Append(" of prunable parameters removed (")
                .Append(report.Settings.Method).Append(", ").Append(structured.Structure).Append(')');
        }
        else if (report.Search is { } search)
        {
            // The search's own line: what it chose and the target it held, e.g. "auto: 57.5% sparse, accuracy 96.5% -> 95.9% (allowed drop 1.0)".
            line.Append("auto: ");
            // Quantize="auto" at a fixed sparsity: the per-layer precision it chose, then the sparsity if any.
            if (SearchFormat.IsQuantize(search)) line.Append(SearchFormat.Chosen(report, search)).Append(", ");
            if (!SearchFormat.IsQuantize(search) || report.Totals.PrunableSparsity > 0)
            {
                line.Append(ReportFormat.Percent(report.Totals.PrunableSparsity)).Append(" sparse (")
                    .Append(report.Settings.Method).Append(", ").Append(report.Settings.Pattern).Append("), ");
            }

            line
                .Append(SearchFormat.Metric(search, search.OriginalValue)).Append(" -> ").Append(SearchFormat.Value(search, search.ChosenValue))
                .Append(" (allowed drop ").Append(SearchFormat.AllowedDrop(search)).Append(')');
        }
        else
        {
            line.Append(ReportFormat.Percent(report.Totals.PrunableSparsity)).Append(" sparse (")
                .Append(report.Settings.Method).Append(", ").Append(report.Settings.Pattern).Append(')');
        }

        if (report.Search is null && KeyMetric.Describe(report, "->") is { } metric)
        {
            line.Append(", ").Append(metric);
        }

        if (report.Quantization is not null)
        {
            // Quantized: the file itself is smaller, and that is the size that matters.
            // With Quantize="auto" the search's part of the line already said which precision each layer got.
            line.Append(", ");
            if (report.Search is not { Knob: "quantize" }) line.Append(report.Quantization.Quantize).Append(' ');
            line.Append(KeyMetric.Size(report, "->", compressed: false));
        }
        else if (report.Cost is not null)
        {
            line.Append(", ").Append(KeyMetric.Size(report, "->", compressed: true)).Append(" gz");
        }

        if (cache == "hit")
        {
            line.Append(", from cache");
        }

        return line.ToString();
    }
}
