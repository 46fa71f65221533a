using ModelPrune.Engine.Calibration;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Real samples to compare the models on instead of synthetic inputs: the calibration set's held-out samples
/// (or its fitted ones when none were held out). <paramref name="Kind"/> names them in the report.
/// </summary>
internal sealed record EvaluationBatch(string Kind, CalibrationBatch Batch)
{
    public const string HeldOutKind = "held-out calibration";
    public const string FitKind = "calibration";

    /// <summary>At most this many samples are compared: enough for a stable deviation, small enough to hold both models' outputs.</summary>
    public const int MaxSamples = 32;

    /// <summary>
    /// The batch to evaluate on, or null to fall back to synthetic inputs: when there is no real calibration data,
    /// or when the model's fixed batch size asks for more samples than there are.
    /// </summary>
    public static EvaluationBatch? From(CalibrationSplit? split, long? fixedBatchSize)
    {
        if (split is not { } sets || sets.Fit.IsSynthetic)
        {
            return null;
        }

        var (kind, set) = sets.HeldOut.SampleCount > 0 ? (HeldOutKind, sets.HeldOut) : (FitKind, sets.Fit);
        var size = fixedBatchSize ?? Math.Min(set.SampleCount, MaxSamples);
        if (size < 1 || size > set.SampleCount)
        {
            return null;
        }

        return new EvaluationBatch(kind, set.Batches((int)size).First());
    }
}
