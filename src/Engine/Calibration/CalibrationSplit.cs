namespace ModelPrune.Engine.Calibration;

/// <summary>
/// A calibration set split in two: <paramref name="Fit"/>, the samples the statistics are measured on, and
/// <paramref name="HeldOut"/>, the samples kept out of them to report each layer's error on data the method did
/// not fit (and, when no evaluation data is given, to compare the models on).
/// </summary>
internal sealed record CalibrationSplit(CalibrationSet Fit, CalibrationSet HeldOut)
{
    /// <summary>
    /// Share of the calibration samples every run holds out (SparseGPT overfits small calibration sets: on
    /// MiniLM's FFN-output layers its held-out error is 3-5x its in-sample error).
    /// </summary>
    public const double HeldOutFraction = 0.2;

    /// <summary>The split every run uses: <see cref="HeldOutFraction"/> of the samples held out (<see cref="CalibrationSet.Split"/>).</summary>
    public static CalibrationSplit Of(CalibrationSet calibration) => calibration.Split(HeldOutFraction);
}
