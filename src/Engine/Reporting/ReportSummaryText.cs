using System.Globalization;
using System.Text;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// <c>name.prune.summary</c>: the report's headline values as <c>key=value</c> lines, for the MSBuild task that
/// bakes them into the typed accessors. That task runs on netstandard2.0 inside MSBuild, where no JSON library
/// can be relied on; lines it can split are enough. Derived from the report alone, so it is as deterministic
/// as the report, and a cache hit rewrites it from the cached report.
/// </summary>
internal static class ReportSummaryText
{
    public const string Schema = "modelprune.summary/1";

    public static byte[] Serialize(PruneReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        void Line(string key, string value) => text.Append(key).Append('=').Append(Escape(value)).Append('\n');
        void Number(string key, double value) => Line(key, value.ToString("R", CultureInfo.InvariantCulture));
        void Count(string key, long value) => Line(key, value.ToString(CultureInfo.InvariantCulture));

        Line("schema", Schema);
        Line("engineVersion", report.Engine.Version);
        Line("method", report.Settings.Method);
        Number("sparsity", report.Settings.Sparsity);
        Line("pattern", report.Settings.Pattern);
        if (report.Structured is { } structured)
        {
            Line("structure", structured.Structure);
            Number("removedFraction", structured.RemovedFraction);
        }

        if (report.Quantization is { } quantization)
        {
            Line("quantize", quantization.Quantize);
            Line("quantMethod", quantization.Method);
            if (quantization.GroupSize is { } groupSize) Count("quantGroupSize", groupSize);
            if (quantization.Activations is { } activations) Line("quantizeActivations", activations);
            if (quantization.BitsPerWeight is { } bits) Number("bitsPerWeight", bits);
        }

        Count("layersPruned", report.Totals.LayersPruned);
        Count("layersExcluded", report.Totals.LayersExcluded);
        Count("layersSkipped", report.Totals.LayersSkipped);
        Count("prunableParameters", report.Totals.PrunableParameters);
        Count("prunableZeros", report.Totals.PrunableZeros);
        Number("prunableSparsity", report.Totals.PrunableSparsity);
        Count("modelParameters", report.Totals.ModelParameters);
        Count("modelZeros", report.Totals.ModelZeros);
        Number("modelSparsity", report.Totals.ModelSparsity);
        Line("originalFileName", report.Input.FileName);
        Count("originalBytes", report.Input.Bytes);
        Line("originalSha256", report.Input.Sha256);
        Line("prunedFileName", report.Output.FileName);
        Count("prunedBytes", report.Output.Bytes);
        Line("prunedSha256", report.Output.Sha256);
        if (report.Cost is { } cost)
        {
            Count("originalGzipBytes", cost.GzipBytesBefore);
            Count("prunedGzipBytes", cost.GzipBytesAfter);
        }

        if (KeyMetric.Describe(report, "->") is { } keyMetric)
        {
            Line("keyMetric", keyMetric);
        }

        Line("evaluationInputKind", report.Evaluation.InputKind);
        Count("outputs", report.Evaluation.Outputs.Count);
        for (var i = 0; i < report.Evaluation.Outputs.Count; i++)
        {
            var output = report.Evaluation.Outputs[i];
            var prefix = "output." + i.ToString(CultureInfo.InvariantCulture) + ".";
            Line(prefix + "name", output.Name);
            Number(prefix + "relativeL2", output.RelativeL2);
            Number(prefix + "cosine", output.Cosine);
            Number(prefix + "maxAbs", output.MaxAbs);
            if (output.Top1Agreement is { } top1)
            {
                Number(prefix + "top1Agreement", top1);
            }

            if (output.Task is { } task)
            {
                Line(prefix + "task", task);
            }

            if (output.AccuracyOriginal is { } accuracyOriginal && output.AccuracyPruned is { } accuracyPruned)
            {
                Number(prefix + "accuracyOriginal", accuracyOriginal);
                Number(prefix + "accuracyPruned", accuracyPruned);
            }
        }

        Line("warnings", string.Join(",", report.Warnings.Select(w => w.Code)));
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString());
    }

    /// <summary>One value per line: backslash, line feed and carriage return are escaped, nothing else.</summary>
    internal static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
