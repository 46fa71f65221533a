using System.Net;
using System.Text;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// <c>name.prune.html</c>: the report as one self-contained page (inline CSS and SVG, no scripts, no fonts or
/// images to fetch) that a reviewer opens from a build artifact. Rendered from the deterministic report only,
/// so identical inputs give identical bytes.
/// </summary>
internal static class ReportHtml
{
    private const string Fitted = "#3b6ea8";
    private const string HeldOut = "#d08a2e";
    private const string Sparse = "#4c956c";

    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #fafafa; }
        main { max-width: 1100px; margin: 0 auto; padding: 24px; background: #fff; }
        h1 { font-size: 1.5rem; margin: 0 0 4px; } h2 { font-size: 1.15rem; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        .subtitle { color: #57606a; margin: 0 0 16px; }
        table { border-collapse: collapse; font-size: 0.875rem; margin: 8px 0; }
        th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        code { font-size: 0.85em; word-break: break-all; }
        .chart { max-width: 100%; height: auto; font-size: 11px; }
        .chart .label, .chart .value, .chart .tick, .chart .legend { fill: #1f2328; font-family: system-ui, sans-serif; }
        .chart .value, .chart .tick { fill: #57606a; } .chart .axis { stroke: #8c959f; }
        .warning { color: #9a6700; }
        """;

    public static string Render(PruneReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append($"<title>ModelPrune: {Escape(report.Input.FileName)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n<main>\n");
        html.Append($"<h1>ModelPrune: {Escape(report.Input.FileName)}</h1>\n");
        html.Append($"<p class=\"subtitle\">{Escape(ReportFormat.MethodAndPattern(report))}, target sparsity {ReportFormat.Percent(report.Settings.Sparsity)} · {Escape(report.Engine.Name)} {Escape(report.Engine.Version)}</p>\n");

        AppendSummary(html, report);
        AppendEvaluation(html, report.Evaluation);
        AppendSweep(html, report);
        AppendSearch(html, report);

        html.Append("<h2>Sparsity per layer</h2>\n");
        var sparsity = new SvgBarChart("Sparsity per layer", ReportFormat.Percent) { Maximum = 1 }.Series("zeros / parameters", Sparse);
        foreach (var layer in report.Layers)
        {
            sparsity.Row(layer.Status == LayerStatusNames.Pruned ? Label(layer) : $"{Label(layer)} ({layer.Status})", layer.Sparsity);
        }

        html.Append(sparsity.Render()).Append('\n');

        var calibrated = report.Layers.Where(l => l.ReconstructionError is not null).ToArray();
        if (calibrated.Length > 0)
        {
            html.Append("<h2>Reconstruction error per layer</h2>\n");
            html.Append("<p>‖X(W − Ŵ)ᵀ‖² / ‖XWᵀ‖² on the calibration inputs the method fitted, and on the held-out calibration samples.</p>\n");
            var errors = new SvgBarChart("Reconstruction error per layer", ReportFormat.Metric).Series("fitted", Fitted).Series("held out", HeldOut);
            foreach (var layer in calibrated)
            {
                errors.Row(Label(layer), layer.ReconstructionError, layer.HeldOutError);
            }

            html.Append(errors.Render()).Append('\n');
        }

        AppendLayers(html, report.Layers);
        AppendUnitGroups(html, report.Structured);
        if (report.Warnings.Count > 0)
        {
            html.Append("<h2>Warnings</h2>\n<ul>\n");
            foreach (var warning in report.Warnings)
            {
                html.Append($"<li class=\"warning\"><code>{Escape(warning.Code)}</code> {Escape(warning.Message)}</li>\n");
            }

            html.Append("</ul>\n");
        }

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, PruneReport report)
    {
        var totals = report.Totals;
        html.Append("<h2>Summary</h2>\n<table>\n");
        Row(html, "Layers", $"{totals.LayersPruned} pruned, {totals.LayersExcluded} excluded, {totals.LayersSkipped} skipped");
        Row(html, "Pruned layers", $"{ReportFormat.Count(totals.PrunableZeros)} of {ReportFormat.Count(totals.PrunableParameters)} weights zero ({ReportFormat.Percent(totals.PrunableSparsity)})");
        Row(html, "Whole model", $"{ReportFormat.Count(totals.ModelZeros)} of {ReportFormat.Count(totals.ModelParameters)} parameters zero ({ReportFormat.Percent(totals.ModelSparsity)})");
        Row(html, "Model file", $"{Escape(report.Input.FileName)} {ReportFormat.Count(report.Input.Bytes)} bytes → {Escape(report.Output.FileName)} {ReportFormat.Count(report.Output.Bytes)} bytes");
        if (report.Cost is { } cost)
        {
            Row(html, cost.GzipEstimated == true ? "Compressed (gzip, estimated from sampled blocks)" : "Compressed (gzip)", $"{ReportFormat.Count(cost.GzipBytesBefore)} bytes → {ReportFormat.Count(cost.GzipBytesAfter)} bytes");
        }
        if (report.Settings.Calibration is { } calibration)
        {
            var source = calibration.Synthetic ? "synthetic (seeded random inputs)" : Escape(calibration.Source);
            var mode = calibration.Mode ?? "one-pass";
            Row(html, "Calibration", $"{source}: {calibration.Samples} samples fitted, {calibration.HeldOutSamples} held out, {Escape(mode)}");
        }

        if (report.Settings.Allocation is { } allocation)
        {
            Row(html, "Allocation", Escape(allocation));
        }

        if (report.Structured is { } structured)
        {
            var pruned = structured.Groups.Count(g => g.Status == LayerStatusNames.Pruned);
            Row(html, "Structured", $"{Escape(structured.Structure)} ({Escape(structured.Allocation)}): {ReportFormat.Count(structured.RemovedParameters)} of {ReportFormat.Count(structured.PrunableParameters)} parameters removed ({ReportFormat.Percent(structured.RemovedFraction)}); {pruned} of {structured.Groups.Count} unit groups pruned");
            if (report.Cost is { } parameters)
            {
                Row(html, "Parameters", $"{ReportFormat.Count(parameters.NonZeroParametersBefore)} → {ReportFormat.Count(parameters.NonZeroParametersAfter)} non-zero");
            }
        }

        html.Append("</table>\n");
    }

    private static void AppendEvaluation(StringBuilder html, EvaluationReport evaluation)
    {
        html.Append("<h2>Pruned vs original</h2>\n");
        html.Append(evaluation.InputKind == "synthetic"
            ? $"<p>Both models ran on the same synthetic inputs (seed {evaluation.Seed}).</p>\n"
            : $"<p>Both models ran on the same {Escape(evaluation.InputKind)} samples.</p>\n");
        if (evaluation.Outputs.Count == 0) return;
        html.Append("<table>\n<tr><th>Output</th><th>Shape</th><th>Relative L2</th><th>Cosine</th><th>Max abs</th><th>Top-1 agreement</th></tr>\n");
        foreach (var output in evaluation.Outputs)
        {
            html.Append($"<tr><td><code>{Escape(output.Name)}</code></td><td>{ReportFormat.Shape(output.Shape)}</td>");
            html.Append($"<td class=\"num\">{ReportFormat.Metric(output.RelativeL2)}</td><td class=\"num\">{ReportFormat.Cosine(output.Cosine)}</td><td class=\"num\">{ReportFormat.Metric(output.MaxAbs)}</td>");
            html.Append($"<td class=\"num\">{(output.Top1Agreement is { } top1 ? ReportFormat.Percent(top1) : "")}</td></tr>\n");
        }

        html.Append("</table>\n");
        AppendTaskMetrics(html, evaluation);
    }

    /// <summary>The task metrics each output has, one row per metric, so outputs of different tasks share a table.</summary>
    private static void AppendTaskMetrics(StringBuilder html, EvaluationReport evaluation)
    {
        var rows = new List<(string Output, string Task, string Metric, string Value)>();
        foreach (var output in evaluation.Outputs.Where(o => o.Task is not (null or "regression")))
        {
            void Add(string metric, string? value)
            {
                if (value is not null) rows.Add((output.Name, output.Task!, metric, value));
            }

            Add("accuracy, original → pruned", output.AccuracyOriginal is { } before && output.AccuracyPruned is { } after ? $"{ReportFormat.Percent(before)} → {ReportFormat.Percent(after)}" : null);
            Add("top-5 agreement", output.Top5Agreement is { } top5 ? ReportFormat.Percent(top5) : null);
            Add("mean KL divergence", output.MeanKlDivergence is { } kl ? ReportFormat.Metric(kl) : null);
            Add("item cosine, mean / 5th percentile", output.MeanItemCosine is { } mean ? $"{ReportFormat.Cosine(mean)} / {(output.P5ItemCosine is { } p5 ? ReportFormat.Cosine(p5) : "–")}" : null);
            Add("nearest-neighbour agreement", output.NeighbourAgreement is { } neighbours ? ReportFormat.Percent(neighbours) : null);
            Add("perplexity, original → pruned", output.PerplexityOriginal is { } pBefore && output.PerplexityPruned is { } pAfter ? $"{ReportFormat.Metric(pBefore)} → {ReportFormat.Metric(pAfter)}" : null);
        }

        if (rows.Count == 0) return;
        html.Append("<table>\n<tr><th>Output</th><th>Task</th><th>Metric</th><th>Value</th></tr>\n");
        foreach (var (output, task, metric, value) in rows)
        {
            html.Append($"<tr><td><code>{Escape(output)}</code></td><td>{Escape(task)}</td><td>{Escape(metric)}</td><td class=\"num\">{Escape(value)}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendSweep(StringBuilder html, PruneReport report)
    {
        if (report.Sweep is not { Count: > 0 } sweep) return;
        var metric = sweep[0].Metric;
        html.Append($"<h2>{Escape(metric)} versus sparsity</h2>\n");
        html.Append($"<p>The model pruned again with the same settings at each sparsity of <code>SweepSparsities</code>, on the same evaluation inputs; the larger point is the model this build kept ({ReportFormat.Percent(report.Settings.Sparsity)}).</p>\n");
        var share = metric is "accuracy" or "top-1 agreement";
        var chart = new SvgLineChart($"{metric} versus sparsity", metric, share ? ReportFormat.Percent : ReportFormat.Metric) { Bounds = share ? (0, 1) : null };
        foreach (var point in sweep)
        {
            chart.Point(point.AchievedSparsity, point.Value, point.Sparsity == report.Settings.Sparsity);
        }

        html.Append(chart.Render()).Append('\n');
        AppendSizeChart(html, report, sweep, share);
    }

    /// <summary>
    /// The key metric against the compressed (gzip) size of each model tried, from nothing to the original's: what
    /// the zeros and the integer storage buy together. Raw sizes would not separate the points, since a file keeps its
    /// size at any sparsity; its gzip size does not.
    /// </summary>
    private static void AppendSizeChart(StringBuilder html, PruneReport report, IReadOnlyList<SweepPoint> sweep, bool share)
    {
        if (report.Cost is not { } cost) return;
        var metric = sweep[0].Metric;
        var stored = report.Quantization is { } quantization ? $"{Escape(quantization.Quantize)}, " : string.Empty;
        html.Append($"<h2>{Escape(metric)} versus compressed size</h2>\n");
        html.Append($"<p>Each model tried ({stored}one per sparsity) by the gzip size of its file; the original's is {ReportFormat.Bytes(cost.GzipBytesBefore)}, the right edge.</p>\n");
        var chart = new SvgLineChart($"{metric} versus compressed size", metric, share ? ReportFormat.Percent : ReportFormat.Metric)
        {
            Bounds = share ? (0, 1) : null,
            XLabel = "gzip size",
            XRange = (0, cost.GzipBytesBefore),
            FormatX = bytes => ReportFormat.Bytes((long)Math.Round(bytes)),
        };
        foreach (var point in sweep)
        {
            chart.Point(point.GzipBytes, point.Value, point.Sparsity == report.Settings.Sparsity);
        }

        html.Append(chart.Render()).Append('\n');
    }

    /// <summary>
    /// Sparsity="auto" or Quantize="auto": key metric against sparsity (or, quantizing, the file's size) for every
    /// probe, the target line, the chosen point, the trace and the ranking.
    /// </summary>
    private static void AppendSearch(StringBuilder html, PruneReport report)
    {
        if (report.Search is not { } search) return;
        var quantize = SearchFormat.IsQuantize(search);
        var against = quantize ? "file size" : "sparsity";
        html.Append($"<h2>Search: {Escape(search.Metric)} versus {against}</h2>\n");
        html.Append($"<p>{SearchFormat.Setting(search)}=\"auto\" kept <code>{Escape(search.Output)}</code>'s {Escape(search.Metric)} within {Escape(SearchFormat.AllowedDrop(search))} of the original's {Escape(SearchFormat.Value(search, search.OriginalValue))} "
            + $"in {search.Probes} of {search.Budget} probes and chose {Escape(SearchFormat.Chosen(report, search))}. Stopped: {Escape(search.StopReason)}.</p>\n");
        var share = SearchFormat.IsShare(search);
        var chart = new SvgLineChart($"{search.Metric} versus {against}", search.Metric, share ? ReportFormat.Percent : ReportFormat.Metric)
        {
            Bounds = share ? (0, 1) : null,
            Connect = false,
            Target = (SearchFormat.Threshold(search), "target " + SearchFormat.Value(search, SearchFormat.Threshold(search))),
            // Quantizing, the file's raw size is what shrinks, from nothing to the original's (the right edge).
            XLabel = quantize ? "file size" : "sparsity",
            XRange = quantize ? (0, report.Input.Bytes) : (0, 1),
            FormatX = quantize ? bytes => ReportFormat.Bytes((long)Math.Round(bytes)) : x => x.ToString("0.#%", System.Globalization.CultureInfo.InvariantCulture),
        };

        // Sensitivity probes change one layer only; the chart shows the models the build could have shipped.
        foreach (var probe in search.Trace.Where(p => p.Phase != "sensitivity")) chart.Point(quantize ? probe.Bytes : probe.AchievedSparsity, probe.Metric);
        chart.Point(quantize ? report.Output.Bytes : search.ChosenSparsity, search.ChosenValue, highlight: true);
        html.Append(chart.Render()).Append('\n');

        html.Append($"<table>\n<tr><th>Probe</th><th>Phase</th><th>{(quantize ? "Bits per weight" : "Sparsity")}</th><th>Layers</th><th>Non-zero parameters</th><th>Size (raw / gzip)</th><th>Metric</th><th>Target</th></tr>\n");
        foreach (var probe in search.Trace)
        {
            var level = quantize ? probe.BitsPerWeight?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "float" : ReportFormat.Percent(probe.AchievedSparsity);
            html.Append($"<tr><td class=\"num\">{probe.Index}</td><td>{Escape(probe.Phase)}</td><td class=\"num\">{level}</td><td><code>{Escape(string.Join(", ", probe.Layers))}</code></td>");
            html.Append($"<td class=\"num\">{ReportFormat.Count(probe.NonzeroParameters)}</td><td class=\"num\">{ReportFormat.Bytes(probe.Bytes)} / {ReportFormat.Bytes(probe.GzipBytes)}</td><td class=\"num\">{Escape(SearchFormat.Value(search, probe.Metric))}</td><td>{(probe.KeepsTarget ? "kept" : "broken")}</td></tr>\n");
        }

        html.Append("</table>\n");
        if (search.Sensitivity.Count > 0)
        {
            html.Append($"<h3>Sensitivity ({(quantize ? "each layer alone at the lower precision, or its output error where not probed" : "each layer pruned alone")})</h3>\n<table>\n<tr><th>Layer</th><th>Parameters</th><th>{(quantize ? "Level" : "Sparsity")}</th><th>Metric</th><th>Fall</th></tr>\n");
            foreach (var layer in search.Sensitivity)
            {
                html.Append($"<tr><td><code>{Escape(layer.Layer)}</code></td><td class=\"num\">{ReportFormat.Count(layer.Parameters)}</td><td class=\"num\">{Escape(layer.Level ?? ReportFormat.Percent(layer.Sparsity))}</td>");
                html.Append($"<td class=\"num\">{Escape(SearchFormat.MetricOf(search, layer))}</td><td class=\"num\">{Escape(SearchFormat.Fall(layer))}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append($"<p>{(quantize ? "Layers given more precision than int4" : "Layers kept at a lower sparsity")}: {(search.RestoredLayers.Count == 0 ? "none" : string.Join(", ", search.RestoredLayers.Select(l => $"<code>{Escape(l)}</code>")))}.</p>\n");
    }

    private static void AppendLayers(StringBuilder html, IReadOnlyList<LayerReport> layers)
    {
        html.Append("<h2>Layers</h2>\n<table>\n<tr><th>Layer</th><th>Op</th><th>Shape</th><th>Parameters</th><th>Sparsity</th><th>Status</th><th>Error (fitted / held out)</th></tr>\n");
        foreach (var layer in layers)
        {
            var status = layer.Reason is null ? Escape(layer.Status) : $"{Escape(layer.Status)}: {Escape(layer.Reason)}";
            var error = layer.ReconstructionError is { } fitted
                ? $"{ReportFormat.Metric(fitted)} / {(layer.HeldOutError is { } heldOut ? ReportFormat.Metric(heldOut) : "–")}"
                : "";
            html.Append($"<tr><td><code>{Escape(layer.Name)}</code></td><td>{Escape(layer.OpType)}</td><td>{ReportFormat.Shape(layer)}</td>");
            html.Append($"<td class=\"num\">{ReportFormat.Count(layer.Parameters)}</td><td class=\"num\">{ReportFormat.Percent(layer.Sparsity)}</td><td>{status}</td><td class=\"num\">{error}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    /// <summary>Structured runs: every unit group, pruned or left alone with its reason.</summary>
    private static void AppendUnitGroups(StringBuilder html, StructuredReport? structured)
    {
        if (structured is null) return;
        html.Append("<h2>Unit groups</h2>\n<table>\n<tr><th>Group</th><th>Kind</th><th>Units kept</th><th>Parameters removed</th><th>Producers → consumers</th><th>Status</th></tr>\n");
        foreach (var group in structured.Groups)
        {
            var status = group.Reason is null ? Escape(group.Status) : $"{Escape(group.Status)}: {Escape(group.Reason)}";
            html.Append($"<tr><td class=\"num\">{group.Group}</td><td>{Escape(group.Kind)}</td><td class=\"num\">{ReportFormat.Count(group.UnitsKept)} / {ReportFormat.Count(group.Units)}</td>");
            html.Append($"<td class=\"num\">{ReportFormat.Count(group.ParametersRemoved)}</td><td><code>{Escape(string.Join(", ", group.Producers))}</code> → <code>{Escape(string.Join(", ", group.Consumers))}</code></td><td>{status}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    /// <summary>Exporters often name weights by number ("927"); the consuming node's name says which layer it is.</summary>
    private static string Label(LayerReport layer) =>
        layer.Nodes.Count > 0 && layer.Nodes[0] != layer.Name ? $"{layer.Name} · {layer.Nodes[0]}" : layer.Name;

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append($"<tr><th>{Escape(name)}</th><td>{value}</td></tr>\n");

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
