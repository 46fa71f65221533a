using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Applies the chosen method to the model's prunable weights in place and says, per layer, what happened: structured
/// methods remove whole units (<see cref="StructuredPruningStage"/>), the others zero weights (<see cref="UnstructuredPruningStage"/>).
/// </summary>
internal static class LayerPruningStage
{
    /// <param name="memo">Statistics of earlier prunes of the same dense model to reuse (one-pass unstructured runs only).</param>
    /// <param name="planned">The output's data file, where pruned tensors of a mapped model go straight to their place (unstructured only).</param>
    public static PruningResult Apply(OnnxModel model, PruneSettings settings, CalibrationSplit? calibration, DiagnosticLog log, string file,
        StatisticsMemo? memo = null, PlannedDataFile? planned = null) =>
        settings.IsStructured
            ? StructuredPruningStage.Apply(model, settings, calibration, log, file)
            : UnstructuredPruningStage.Apply(model, settings, calibration, log, file, memo, planned);
}
