using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Progress;
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
        var sparsities = settings.SweepSparsities.Where(s => s != settings.Sparsity).ToArray();
        using var progress = ModelProgress.Begin("sweep", "point", sparsities.Length);
        foreach (var sparsity in sparsities)
        {
            var pointSettings = settings with
            {
                Sparsity = sparsity,
                SweepSparsities = Array.Empty<double>(),
                MaxLayerSparsity = Math.Max(settings.MaxLayerSparsity, sparsity),
                MinLayerSparsity = Math.Min(settings.MinLayerSparsity, sparsity),
            };
            var candidate = CandidateModel.Evaluate(job, pointSettings, calibration, evaluationOptions, file);
            if (KeyMetric.Numeric(candidate.Comparison.Report) is var (metric, value))
            {
                points.Add(new SweepPoint(sparsity, candidate.Totals.PrunableSparsity, metric, value, candidate.Bytes, candidate.GzipBytes));
            }

            progress.Advance();
        }

        return points.OrderBy(p => p.Sparsity).ToArray();
    }
}
