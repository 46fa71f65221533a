using System.Text;

namespace ModelPrune.Engine.Reporting;

/// <summary>The one line a build prints per model, e.g. <c>ModelPrune: Models/a.onnx -> 40.0% sparse (magnitude, unstructured), 3 layers, rel. L2 0.0123</c>.</summary>
public static class SummaryLine
{
    public static string Format(string displayName, PruneReport report, string cache)
    {
        ArgumentNullException.ThrowIfNull(report);
        var line = new StringBuilder();
        line.Append("ModelPrune: ").Append(displayName).Append(" -> ")
            .Append(ReportFormat.Percent(report.Totals.PrunableSparsity)).Append(" sparse (")
            .Append(report.Settings.Method).Append(", ").Append(report.Settings.Pattern).Append("), ")
            .Append(report.Totals.LayersPruned).Append(report.Totals.LayersPruned == 1 ? " layer" : " layers");

        if (ReportFormat.WorstRelativeL2(report) is { } relativeL2)
        {
            line.Append(", rel. L2 ").Append(ReportFormat.Metric(relativeL2));
        }

        if (ReportFormat.WorstTop1(report) is { } top1)
        {
            line.Append(", top-1 agreement ").Append(ReportFormat.Percent(top1));
        }

        if (cache == "hit")
        {
            line.Append(", from cache");
        }

        return line.ToString();
    }
}
