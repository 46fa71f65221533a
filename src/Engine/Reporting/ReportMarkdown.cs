using System.Globalization;
using System.Text;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The report for people: read in a CI log or a pull request. Everything except the final "This run"
/// section comes from the deterministic report, so the Markdown diffs as cleanly as the JSON.
/// </summary>
internal static class ReportMarkdown
{
    public const string RunSectionHeading = "## This run (not deterministic)";

    public static string Render(PruneReport report, RunInfo? run)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new MarkdownBuilder();
        md.Line($"# ModelPrune report: {report.Input.FileName}");
        md.Blank();
        WriteSummaryTable(md, report, report.Input.FileName);
        WriteSummary(md, report);
        WriteLayers(md, report);
        WriteStructured(md, report);
        WriteWarnings(md, report);
        WriteEvaluation(md, report);
        WriteSweep(md, report);
        WriteSearch(md, report);
        if (run is not null)
        {
            WriteRun(md, run);
        }

        return md.ToString();
    }

    /// <summary>
    /// The table a reviewer reads first (and the one appended to GITHUB_STEP_SUMMARY): method, sparsity, the key
    /// metric, and the model's size before → after, raw and gzip-compressed.
    /// </summary>
    public static string RenderSummaryTable(PruneReport report, string modelName)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new MarkdownBuilder();
        WriteSummaryTable(md, report, modelName);
        return md.ToString();
    }

    private static void WriteSummaryTable(MarkdownBuilder md, PruneReport report, string modelName)
    {
        md.Row("Model", "Method", "Sparsity", "Key metric", "Size", "Size (gzip)");
        md.Separator(6, rightAligned: new[] { 2, 4, 5 });
        md.Row(
            ReportFormat.Code(modelName),
            ReportFormat.Cell(ReportFormat.MethodAndPattern(report)),
            ReportFormat.Percent(ReportFormat.Achieved(report)),
            ReportFormat.Cell(KeyMetric.Describe(report, "→") ?? "–"),
            KeyMetric.Size(report, "→", compressed: false),
            report.Cost is null ? "–" : KeyMetric.Size(report, "→", compressed: true));
        md.Blank();
    }

    private static void WriteSummary(MarkdownBuilder md, PruneReport report)
    {
        var settings = report.Settings;
        var totals = report.Totals;
        md.Line("## Summary");
        md.Blank();
        md.Row("Metric", "Value");
        md.Separator(2);
        md.Row("Method", settings.Method);
        if (report.Structured is { } structured)
        {
            // Structured runs remove parameters: the counts before and after say it all, there are no zeros to count.
            md.Row("Structure", $"{structured.Structure} (allocation {structured.Allocation})");
            md.Row("Requested: share of prunable parameters removed", ReportFormat.Percent(settings.Sparsity));
            md.Row("Removed", $"{ReportFormat.Count(structured.RemovedParameters)} of {ReportFormat.Count(structured.PrunableParameters)} parameters of the pruned groups ({ReportFormat.Percent(structured.RemovedFraction)})");
            md.Row("Unit groups", $"{structured.Groups.Count(g => g.Status == LayerStatusNames.Pruned)} pruned, {structured.Groups.Count(g => g.Status == LayerStatusNames.Excluded)} excluded, {structured.Groups.Count(g => g.Status == LayerStatusNames.Skipped)} skipped");
        }
        else
        {
            md.Row("Pattern", settings.Pattern);
            md.Row("Requested sparsity", ReportFormat.Percent(settings.Sparsity));
            md.Row("Achieved sparsity (pruned layers)", ReportFormat.Percent(totals.PrunableSparsity));
            md.Row("Model-wide sparsity", ReportFormat.Percent(totals.ModelSparsity));
        }

        md.Row("Layers", $"{totals.LayersPruned} pruned, {totals.LayersExcluded} excluded, {totals.LayersSkipped} skipped");
        md.Row("File size", $"{ReportFormat.Bytes(report.Input.Bytes)} → {ReportFormat.Bytes(report.Output.Bytes)}");
        if (report.Quantization is { } quantization)
        {
            var group = quantization.GroupSize is { } size ? $", groups of {size}" : ", per channel";
            var tables = quantization.Embeddings.Count(e => e.Reason is null);
            var dynamic = quantization.DynamicQuantizeMatMulLayers is { } dynamicLayers ? $"{dynamicLayers} DynamicQuantizeMatMul (activations quantized at run time), " : string.Empty;
            md.Row("Quantization", $"{quantization.Quantize} {quantization.Method}{group}: {dynamic}{quantization.MatMulNBitsLayers} MatMulNBits, {quantization.DequantizeLinearLayers} DequantizeLinear (int8), {quantization.FloatLayers} float; {tables} embedding table(s) int8{BitsPerWeight(quantization)}");
        }


        if (report.Structured is null)
        {
            // The totals count zeros after pruning only, so the "before" side is the parameter count: exact
            // unless the original model already held exact zeros.
            md.Row("Parameters → non-zero after pruning", $"{ReportFormat.Count(totals.ModelParameters)} → {ReportFormat.Count(totals.ModelParameters - totals.ModelZeros)}");
            md.Row("Pruned-layer weights → non-zero", $"{ReportFormat.Count(totals.PrunableParameters)} → {ReportFormat.Count(totals.PrunableParameters - totals.PrunableZeros)}");
        }
        if (report.Cost is { } cost)
        {
            md.Row("Non-zero parameters before → after", $"{ReportFormat.Count(cost.NonZeroParametersBefore)} → {ReportFormat.Count(cost.NonZeroParametersAfter)}");
            md.Row(cost.GzipEstimated == true ? "File size, gzip (estimated from sampled blocks)" : "File size, gzip", $"{ReportFormat.Bytes(cost.GzipBytesBefore)} → {ReportFormat.Bytes(cost.GzipBytesAfter)}");
        }

        if (ReportFormat.WorstRelativeL2(report) is { } relativeL2)
        {
            md.Row("Worst output relative L2", ReportFormat.Metric(relativeL2));
        }

        if (ReportFormat.WorstCosine(report) is { } cosine)
        {
            md.Row("Worst output cosine", ReportFormat.Cosine(cosine));
        }

        if (ReportFormat.WorstTop1(report) is { } top1)
        {
            md.Row("Top-1 agreement (lowest output)", ReportFormat.Percent(top1));
        }

        md.Blank();
    }

    private static void WriteLayers(MarkdownBuilder md, PruneReport report)
    {
        md.Line("## Layers");
        md.Blank();
        if (report.Layers.Count == 0)
        {
            md.Line("No prunable layers.");
            md.Blank();
            return;
        }

        // Calibrated methods measured each layer's output error; the columns appear only when they did.
        var calibrated = report.Layers.Any(l => l.ReconstructionError is not null);
        if (calibrated)
        {
            md.Row("Layer", "Op", "Shape", "Parameters", "Sparsity", "Error (fit)", "Error (held out)", "Status");
            md.Separator(8, rightAligned: new[] { 3, 4, 5, 6 });
        }
        else
        {
            md.Row("Layer", "Op", "Shape", "Parameters", "Sparsity", "Status");
            md.Separator(6, rightAligned: new[] { 3, 4 });
        }

        foreach (var layer in report.Layers)
        {
            var status = string.IsNullOrEmpty(layer.Reason) ? layer.Status : $"{layer.Status}: {layer.Reason}";
            var cells = new List<string>
            {
                ReportFormat.Code(layer.Name),
                ReportFormat.Cell(layer.OpType),
                ReportFormat.Shape(layer),
                ReportFormat.Count(layer.Parameters),
                ReportFormat.Percent(layer.Sparsity),
            };
            if (calibrated)
            {
                cells.Add(layer.ReconstructionError is { } fit ? ReportFormat.Metric(fit) : "");
                cells.Add(layer.HeldOutError is { } heldOut ? ReportFormat.Metric(heldOut) : "");
            }

            cells.Add(ReportFormat.Cell(status));
            md.Row(cells.ToArray());
        }

        md.Blank();
    }

    /// <summary>Every group of units the analysis found, pruned or not, with the reason a group was left alone.</summary>
    private static void WriteStructured(MarkdownBuilder md, PruneReport report)
    {
        if (report.Structured is not { } structured) return;
        md.Line("## Structured pruning");
        md.Blank();
        md.Line($"Structure `{structured.Structure}`, allocation `{structured.Allocation}`, at least {structured.MinUnitsPerLayer} unit(s) kept per layer, kept counts in multiples of {structured.UnitMultiple}: "
            + $"{ReportFormat.Count(structured.RemovedParameters)} of {ReportFormat.Count(structured.PrunableParameters)} parameters of the pruned groups removed ({ReportFormat.Percent(structured.RemovedFraction)}).");
        md.Blank();
        md.Row("Group", "Kind", "Units kept", "Parameters removed", "Producers → consumers", "Status");
        md.Separator(6, rightAligned: new[] { 2, 3 });
        foreach (var group in structured.Groups)
        {
            var status = string.IsNullOrEmpty(group.Reason) ? group.Status : $"{group.Status}: {group.Reason}";
            if (group.BiasCompensated == true) status += " (bias compensated)";
            md.Row(
                ReportFormat.Count(group.Group),
                ReportFormat.Cell(group.UnitWidth > 1 ? $"{group.Kind} of {group.UnitWidth}" : group.Kind),
                $"{ReportFormat.Count(group.UnitsKept)} / {ReportFormat.Count(group.Units)}",
                ReportFormat.Count(group.ParametersRemoved),
                ReportFormat.Cell($"{string.Join(", ", group.Producers)} → {string.Join(", ", group.Consumers)}"),
                ReportFormat.Cell(status));
        }

        md.Blank();
    }

    private static void WriteWarnings(MarkdownBuilder md, PruneReport report)
    {
        md.Line("## Warnings");
        md.Blank();
        if (report.Warnings.Count == 0)
        {
            md.Line("None.");
        }

        foreach (var warning in report.Warnings)
        {
            md.Line($"- **{warning.Code}**: {warning.Message.Replace("\r", " ").Replace("\n", " ")}");
        }

        md.Blank();
    }

    private static void WriteSweep(MarkdownBuilder md, PruneReport report)
    {
        if (report.Sweep is not { Count: > 0 } sweep) return;
        md.Line("## Sparsity sweep");
        md.Blank();
        md.Line("The model pruned again with the same settings at each sparsity, on the same evaluation inputs (`SweepSparsities`).");
        md.Blank();
        md.Row("Sparsity", "Achieved", ReportFormat.Cell(sweep[0].Metric), "");
        md.Separator(4, new[] { 0, 1, 2 });
        foreach (var point in sweep)
        {
            var value = point.Metric is "accuracy" or "top-1 agreement" ? ReportFormat.Percent(point.Value) : ReportFormat.Metric(point.Value);
            md.Row(ReportFormat.Percent(point.Sparsity), ReportFormat.Percent(point.AchievedSparsity), value,
                point.Sparsity == report.Settings.Sparsity ? "this build's model" : "");
        }

        md.Blank();
    }

    private static void WriteSearch(MarkdownBuilder md, PruneReport report)
    {
        if (report.Search is not { } search) return;
        var quantize = SearchFormat.IsQuantize(search);
        md.Line($"## Search ({SearchFormat.Setting(search)}=\"auto\")");
        md.Blank();
        md.Line($"Target: `{search.Output}` {search.Metric} {SearchFormat.Value(search, search.OriginalValue)}, allowed drop {SearchFormat.AllowedDrop(search)} ({search.DropType}). "
            + $"Chosen: {SearchFormat.Chosen(report, search)}, {SearchFormat.Metric(search, search.ChosenValue)}, after {search.Probes} of {search.Budget} probes "
            + $"({search.StatisticsPasses} calibration statistics pass(es) shared by all). Stopped: {search.StopReason}.");
        md.Blank();
        md.Row("Probe", "Phase", quantize ? "Bits per weight" : "Sparsity", "Layers", "Non-zero parameters", quantize ? "Size" : "Size (gzip)", ReportFormat.Cell(search.Metric), "Target");
        md.Separator(8, new[] { 0, 2, 4, 5, 6 });
        foreach (var probe in search.Trace)
        {
            md.Row(probe.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), probe.Phase,
                quantize ? (probe.BitsPerWeight?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "float") : ReportFormat.Percent(probe.AchievedSparsity),
                ReportFormat.Cell(string.Join(", ", probe.Layers)), ReportFormat.Count(probe.NonzeroParameters), ReportFormat.Bytes(quantize ? probe.Bytes : probe.GzipBytes), SearchFormat.Value(search, probe.Metric),
                probe.KeepsTarget ? "kept" : "broken");
        }

        md.Blank();
        if (search.Sensitivity.Count > 0)
        {
            md.Line(quantize
                ? "Sensitivity, most sensitive first (each layer alone at the lower precision, the others at the higher; or, where the budget could not probe each, the layer's own output error):"
                : "Sensitivity, most sensitive first (each layer pruned alone):");
            md.Blank();
            md.Row("Layer", "Parameters", quantize ? "Level" : "Sparsity", ReportFormat.Cell(search.Metric), "Fall");
            md.Separator(5, new[] { 1, 2, 3, 4 });
            foreach (var layer in search.Sensitivity)
            {
                md.Row(ReportFormat.Code(layer.Layer), ReportFormat.Count(layer.Parameters), layer.Level ?? ReportFormat.Percent(layer.Sparsity),
                    SearchFormat.MetricOf(search, layer), SearchFormat.Fall(layer));
            }

            md.Blank();
        }

        md.Line((quantize ? "Layers given more precision than int4: " : "Layers kept at a lower sparsity: ") + (search.RestoredLayers.Count == 0 ? "none." : string.Join(", ", search.RestoredLayers.Select(ReportFormat.Code)) + "."));
        md.Blank();
    }

    private static void WriteEvaluation(MarkdownBuilder md, PruneReport report)
    {
        var evaluation = report.Evaluation;
        md.Line("## Evaluation");
        md.Blank();
        md.Line(evaluation.InputKind == "synthetic"
            ? $"Both models ran on the same synthetic inputs (seed {evaluation.Seed})."
            : $"Both models ran on the same {evaluation.InputKind} samples.");
        if (evaluation.Data is { } data)
        {
            var labels = data.Labels.Count == 0 ? "no labels" : "labels " + string.Join(", ", data.Labels.Select(ReportFormat.Code));
            md.Line($"Evaluation data {ReportFormat.Code(data.Source)}: {data.Samples} samples, {labels}.");
        }

        md.Blank();
        if (evaluation.Inputs.Count > 0)
        {
            md.Row("Input", "Type", "Shape", "Values");
            md.Separator(4);
            foreach (var input in evaluation.Inputs)
            {
                md.Row(ReportFormat.Code(input.Name), input.ElementType, ReportFormat.Shape(input.Shape), ReportFormat.Cell(input.Values));
            }

            md.Blank();
        }

        if (evaluation.Outputs.Count > 0)
        {
            md.Row("Output", "Type", "Shape", "Relative L2", "Cosine", "Max abs", "Top-1");
            md.Separator(7, rightAligned: new[] { 3, 4, 5, 6 });
            foreach (var output in evaluation.Outputs)
            {
                md.Row(
                    ReportFormat.Code(output.Name),
                    output.ElementType,
                    ReportFormat.Shape(output.Shape),
                    ReportFormat.Metric(output.RelativeL2),
                    ReportFormat.Cosine(output.Cosine),
                    ReportFormat.Metric(output.MaxAbs),
                    output.Top1Agreement is { } top1 ? ReportFormat.Percent(top1) : "–");
            }

            md.Blank();
            WriteTaskMetrics(md, evaluation);
        }
    }

    private static void WriteTaskMetrics(MarkdownBuilder md, EvaluationReport evaluation)
    {
        var judged = evaluation.Outputs.Where(o => o.Task is not null).ToList();
        if (judged.Count == 0) return;

        md.Line(evaluation.Task is null ? "Tasks:" : $"Tasks (Task=\"{evaluation.Task}\"):");
        md.Blank();
        foreach (var output in judged)
        {
            md.Line($"- {ReportFormat.Code(output.Name)}: {output.Task} ({ReportFormat.Cell(output.TaskReason ?? string.Empty)})");
        }

        md.Blank();
        var rows = judged.SelectMany(TaskRows).ToList();
        if (rows.Count == 0) return;

        md.Row("Output", "Metric", "Original", "Pruned");
        md.Separator(4, rightAligned: new[] { 2, 3 });
        foreach (var row in rows)
        {
            md.Row(row);
        }

        md.Blank();
    }

    /// <summary>One row per task metric; agreement-style metrics compare with the original, so only the pruned column holds them.</summary>
    private static IEnumerable<string[]> TaskRows(OutputDeviation output)
    {
        var name = ReportFormat.Code(output.Name);
        if (output.AccuracyOriginal is { } accuracyBefore && output.AccuracyPruned is { } accuracyAfter)
        {
            yield return new[] { name, $"accuracy vs {ReportFormat.Code(output.Labels ?? "labels")}", ReportFormat.Percent(accuracyBefore), ReportFormat.Percent(accuracyAfter) };
        }

        if (output.PerplexityOriginal is { } perplexityBefore && output.PerplexityPruned is { } perplexityAfter)
        {
            yield return new[] { name, $"perplexity on {ReportFormat.Code(output.Labels ?? "labels")}", ReportFormat.Metric(perplexityBefore), ReportFormat.Metric(perplexityAfter) };
        }

        if (output.Task is "classification" or "language-model" && output.Top1Agreement is { } top1)
        {
            yield return new[] { name, "top-1 agreement", "", ReportFormat.Percent(top1) };
        }

        if (output.Top5Agreement is { } top5)
        {
            yield return new[] { name, "top-5 agreement", "", ReportFormat.Percent(top5) };
        }

        if (output.MeanKlDivergence is { } kl)
        {
            yield return new[] { name, "mean KL divergence", "", ReportFormat.Metric(kl) };
        }

        if (output.MeanItemCosine is { } cosine)
        {
            yield return new[] { name, "mean item cosine", "", ReportFormat.Cosine(cosine) };
        }

        if (output.P5ItemCosine is { } p5)
        {
            yield return new[] { name, "5th-percentile item cosine", "", ReportFormat.Cosine(p5) };
        }

        if (output.NeighbourAgreement is { } neighbours)
        {
            yield return new[] { name, "nearest-neighbour agreement", "", ReportFormat.Percent(neighbours) };
        }
    }

    private static void WriteRun(MarkdownBuilder md, RunInfo run)
    {
        md.Line(RunSectionHeading);
        md.Blank();
        md.Row("Item", "Value");
        md.Separator(2);
        md.Row("Cache", ReportFormat.Cell(run.Cache));
        md.Row("Device", ReportFormat.Cell(run.Device));
        if (run.Latency is { } latency)
        {
            var batch = $"median of {latency.Runs} runs after {latency.WarmupRuns} warm-ups, batch {latency.BatchSize}, {latency.Device}, optimised sessions timed in turns";
            md.Row("Latency, original", $"{ReportFormat.FineMilliseconds(latency.OriginalMilliseconds)} ({batch})");
            md.Row("Latency, pruned", $"{ReportFormat.FineMilliseconds(latency.PrunedMilliseconds)} ({batch})");
        }

        md.Blank();
        if (run.Timings.Count > 0)
        {
            md.Row("Stage", "Time");
            md.Separator(2, rightAligned: new[] { 1 });
            foreach (var timing in run.Timings)
            {
                md.Row(ReportFormat.Cell(timing.Stage), ReportFormat.Milliseconds(timing.Milliseconds));
            }

            md.Blank();
        }
    }

    /// <summary>Builds with '\n' whatever the OS, and ends the document with exactly one newline.</summary>
    private sealed class MarkdownBuilder
    {
        private readonly StringBuilder _text = new();

        public void Line(string line) => _text.Append(line).Append('\n');

        public void Blank() => _text.Append('\n');

        public void Row(params string[] cells) => Line("| " + string.Join(" | ", cells) + " |");

        public void Separator(int columns, int[]? rightAligned = null) =>
            Row(Enumerable.Range(0, columns).Select(i => rightAligned?.Contains(i) == true ? "---:" : "---").ToArray());

        public override string ToString() => _text.ToString().TrimEnd('\n') + "\n";
    }

    private static string BitsPerWeight(QuantizationReport quantization) =>
        quantization.BitsPerWeight is { } bits
            ? string.Create(CultureInfo.InvariantCulture, $"; {bits:0.###} bits per weight over {quantization.QuantizedWeights:N0} weights")
            : string.Empty;
}
