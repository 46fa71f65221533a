using ModelPrune.Engine.Calibration;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Samples given with EvaluationData: the model inputs (validated like calibration data), their labels,
/// the source as the user wrote it and the SHA-256 of the file, which joins the cache key.
/// </summary>
internal sealed record EvaluationData(string Source, string Sha256, CalibrationSet Samples, EvaluationLabels Labels);
