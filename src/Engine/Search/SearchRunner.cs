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
/// Runs <see cref="SparsitySearch"/> on a real model: each probe is a <see cref="CandidateModel"/> pruned with the
/// probe's settings and the shared statistics (<see cref="StatisticsMemo"/>), compared with the original on the
/// evaluation samples.
/// </summary>
internal static class SearchRunner
{
    public static SearchResult Run(ModelJob job, PruneSettings settings, OnnxModel denseModel, CalibrationSplit? calibration,
        EvaluationOptions evaluationOptions, StatisticsMemo memo, string file)
    {
        // The budget is the most probes the search may run; it often stops sooner, and then says so as its last step.
        using var progress = ModelProgress.Begin("search", "probe", settings.Search!.Budget);
        var search = new SparsitySearch(settings, new SparsityKnob(settings.MaxLayerSparsity), SearchableLayers(denseModel, settings, file), probe =>
        {
            var outcome = Probe(job, probe, calibration, evaluationOptions, memo, file);
            progress.Advance();
            return outcome;
        });
        var result = search.Run();
        progress.Finish();
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
        var candidate = CandidateModel.Evaluate(job, settings, calibration, options, file, memo);
        var metric = SearchMetric.From(candidate.Comparison.Report) ?? throw new ModelPruneException(DiagnosticCodes.SearchNeedsKeyMetric, file,
            "Sparsity=\"auto\" needs a key metric to hold to its target, and the model's outputs give none (it has no float output to compare). Give a fixed Sparsity.");
        return new ProbeOutcome(metric, candidate.Totals.PrunableSparsity, candidate.NonzeroParameters, candidate.Bytes, candidate.GzipBytes);
    }
}
