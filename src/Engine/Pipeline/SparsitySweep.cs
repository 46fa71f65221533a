using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// The metric-versus-sparsity curve: the model pruned again with the same settings at each sparsity of
/// <see cref="PruneSettings.SweepSparsities"/>, each compared with the original on the same evaluation inputs as
/// the main run. Every point is a whole prune (calibrated methods measure their statistics again), so a sweep of
/// n points costs about n more runs; only the main run's model is kept.
/// </summary>
internal static class SparsitySweep
{
    public static IReadOnlyList<SweepPoint> Run(ModelJob job, PruneSettings settings, CalibrationSplit? calibration,
        EvaluationOptions evaluationOptions, SweepPoint main, string file)
    {
        var points = new List<SweepPoint> { main };
        foreach (var sparsity in settings.SweepSparsities.Where(s => s != settings.Sparsity))
        {
            var pointSettings = settings with
            {
                Sparsity = sparsity,
                SweepSparsities = Array.Empty<double>(),
                MaxLayerSparsity = Math.Max(settings.MaxLayerSparsity, sparsity),
                MinLayerSparsity = Math.Min(settings.MinLayerSparsity, sparsity),
            };
            var model = OnnxModelReader.Read(job.ModelPath);
            // The main run already reported every warning these settings give; a point's own would repeat them.
            var pruning = LayerPruningStage.Apply(model, pointSettings, calibration, new DiagnosticLog(), file);
            var layers = pruning.Layers;
            var (parameters, zeros) = ModelParameterCounter.CountFloatParameters(model.Proto);
            // Each point is the model this build would ship at that sparsity, quantized like the main one.
            if (settings.Quantization is { } quantize) QuantizationStage.Apply(model, pointSettings, quantize, pruning, calibration, new DiagnosticLog(), file);
            var totals = ReportTotalsBuilder.Build(layers, parameters, zeros);
            var pruned = AtomicFile.TemporaryPathFor(job.OutputPath);
            try
            {
                var written = OnnxModelWriter.WriteAtomic(model.Proto, pruned);
                model = null;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var comparison = ModelComparer.CompareModels(job.ModelPath, pruned, evaluationOptions with { MeasureLatency = false }, file);
                if (KeyMetric.Numeric(comparison.Report) is var (metric, value))
                {
                    points.Add(new SweepPoint(sparsity, totals.PrunableSparsity, metric, value, written.Bytes, GzipBlocks.Measure(pruned).Total));
                }
            }
            finally
            {
                AtomicFile.TryDelete(pruned);
            }
        }

        return points.OrderBy(p => p.Sparsity).ToArray();
    }
}
