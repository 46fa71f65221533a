using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Progress;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Search;

/// <summary>
/// Runs <see cref="SparsitySearch"/> or <see cref="QuantizationSearch"/> on a real model: each probe is a
/// <see cref="CandidateModel"/> pruned and quantized with the probe's settings and the shared statistics
/// (<see cref="StatisticsMemo"/>), compared with the original on the evaluation samples.
/// </summary>
internal static class SearchRunner
{
    public static SearchResult Run(ModelJob job, PruneSettings settings, OnnxModel denseModel, CalibrationSplit? calibration,
        EvaluationOptions evaluationOptions, StatisticsMemo memo, string file)
    {
        // The budget is the most probes a search may run; it often stops sooner, and then says so as its last step.
        using var progress = ModelProgress.Begin("search", "probe", settings.Search!.Budget);
        ProbeOutcome Probe(PruneSettings probe)
        {
            var outcome = SearchRunner.Probe(job, probe, calibration, evaluationOptions, memo, file);
            progress.Advance();
            return outcome;
        }

        var result = settings.Search!.Setting == SearchedSetting.Quantize
            ? new QuantizationSearch(settings, QuantizableLayers(denseModel, settings, file), Probe).Run()
            : new SparsitySearch(settings, new SparsityKnob(settings.MaxLayerSparsity), SearchableLayers(denseModel, settings, file), Probe).Run();
        progress.Finish();
        return result;
    }

    /// <summary>The selected float layers, in model order: what the search distributes sparsity over.</summary>
    private static IReadOnlyList<SearchLayer> SearchableLayers(OnnxModel model, PruneSettings settings, string file) =>
        Selected(model, settings, file).Where(w => w.Tensor.IsFloatingPoint).Select(w => new SearchLayer(w.Name, w.Tensor.ElementCount)).ToArray();

    /// <summary>The selected float32 weights a quantized format takes (MatMul, Gemm, Conv), in model order.</summary>
    private static IReadOnlyList<SearchLayer> QuantizableLayers(OnnxModel model, PruneSettings settings, string file) =>
        Selected(model, settings, file)
            .Where(w => w.Tensor.DataType == TensorElementTypes.Float && w.OpType is "MatMul" or "Gemm" or "Conv")
            .Select(w => new SearchLayer(w.Name, w.Tensor.ElementCount, w.OpType == "MatMul" && WeightMatrixLayout.Of(w).Transposed ? 4 : 8))
            .ToArray();

    private static IEnumerable<PrunableWeight> Selected(OnnxModel model, PruneSettings settings, string file)
    {
        var selector = LayerSelector.Create(settings.Include, settings.Exclude, file);
        return PrunableWeightFinder.Find(model).Where(w => selector.IsSelected(w.Name, w.NodeNames));
    }

    private static ProbeOutcome Probe(ModelJob job, PruneSettings settings, CalibrationSplit? calibration, EvaluationOptions options, StatisticsMemo memo, string file)
    {
        var candidate = CandidateModel.Evaluate(job, settings, calibration, options, file, memo);
        var metric = SearchMetric.From(candidate.Comparison.Report) ?? throw new ModelPruneException(DiagnosticCodes.SearchNeedsKeyMetric, file,
            $"{settings.Search!.SettingName}=\"auto\" needs a key metric to hold to its target, and the model's outputs give none (it has no float output to compare). Give a fixed {settings.Search.SettingName}.");
        var errors = candidate.Layers
            .Where(l => (l.Quantization?.HeldOutError ?? l.Quantization?.Error) is not null)
            .ToDictionary(l => l.Name, l => (l.Quantization!.HeldOutError ?? l.Quantization.Error)!.Value, StringComparer.Ordinal);
        return new ProbeOutcome(metric, candidate.Totals.PrunableSparsity, candidate.NonzeroParameters, candidate.Bytes, candidate.GzipBytes,
            candidate.Quantization?.BitsPerWeight, errors);
    }
}
