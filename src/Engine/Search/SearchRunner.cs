using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Search;

/// <summary>
/// Runs <see cref="SparsitySearch"/> on a real model: each probe reads the dense model, prunes it with the probe's
/// settings and the shared statistics (<see cref="StatisticsMemo"/>), quantizes it like the build would, writes it
/// to a temporary file and compares it with the original on the evaluation samples. Probe warnings are dropped: the
/// final prune of the chosen point reports its own.
/// </summary>
internal static class SearchRunner
{
    public static SearchResult Run(ModelJob job, PruneSettings settings, OnnxModel denseModel, CalibrationSplit? calibration,
        EvaluationOptions evaluationOptions, StatisticsMemo memo, string file)
    {
        var search = new SparsitySearch(settings, new SparsityKnob(settings.MaxLayerSparsity), SearchableLayers(denseModel, settings, file),
            probe => Probe(job, probe, calibration, evaluationOptions with { MeasureLatency = false }, memo, file));
        var result = search.Run();
        return result;
    }

    /// <summary>The selected float layers, in model order: what the search distributes sparsity over.</summary>
    private static IReadOnlyList<SearchLayer> SearchableLayers(OnnxModel model, PruneSettings settings, string file)
    {
        var selector = LayerSelector.Create(settings.Include, settings.Exclude, file);
        return PrunableWeightFinder.Find(model)
            .Where(w => w.Tensor.IsFloatingPoint && selector.IsSelected(w.Name, w.NodeNames))
            .Select(w => new SearchLayer(w.Name, w.Tensor.ElementCount))
            .ToArray();
    }

    private static ProbeOutcome Probe(ModelJob job, PruneSettings settings, CalibrationSplit? calibration, EvaluationOptions options, StatisticsMemo memo, string file)
    {
        var model = OnnxModelReader.Read(job.ModelPath);
        var pruning = LayerPruningStage.Apply(model, settings, calibration, new DiagnosticLog(), file, memo);
        var layers = pruning.Layers;
        var (parameters, zeros) = ModelParameterCounter.CountFloatParameters(model.Proto);
        // Each probe is the model this build would ship at that point, quantized like the final one.
        if (settings.Quantization is { } quantize) QuantizationStage.Apply(model, settings, quantize, pruning, calibration, new DiagnosticLog(), file);
        var totals = ReportTotalsBuilder.Build(layers, parameters, zeros);
        var pruned = AtomicFile.TemporaryPathFor(job.OutputPath);
        try
        {
            var written = OnnxModelWriter.WriteAtomic(model.Proto, pruned);
            var comparison = ModelComparer.CompareModels(job.ModelPath, pruned, options, file);
            var metric = SearchMetric.From(comparison.Report) ?? throw new ModelPruneException(DiagnosticCodes.SearchNeedsKeyMetric, file,
                "Sparsity=\"auto\" needs a key metric to hold to its target, and the model's outputs give none (it has no float output to compare). Give a fixed Sparsity.");
            return new ProbeOutcome(metric, totals.PrunableSparsity, parameters - zeros, written.Bytes, GzipBlocks.Measure(pruned).Total);
        }
        finally
        {
            AtomicFile.TryDelete(pruned);
        }
    }
}
