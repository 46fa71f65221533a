using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Pipeline;

/// <summary>What the calibrated stage did: results per pruned layer, and the layers it had to leave dense.</summary>
internal sealed record CalibratedPruning(
    IReadOnlyDictionary<PrunableWeight, CalibratedLayerResult> Results,
    IReadOnlyDictionary<PrunableWeight, string> Skipped,
    CalibrationSplit Calibration);
