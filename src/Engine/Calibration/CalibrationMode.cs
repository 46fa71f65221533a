namespace ModelPrune.Engine.Calibration;

/// <summary>How the calibrated methods see the layer inputs.</summary>
internal enum CalibrationMode
{
    /// <summary>One pass over the calibration set on the dense model measures every layer.</summary>
    OnePass,

    /// <summary>
    /// Layers are pruned in rounds of dependency depth, each round measured on the model as pruned so far, as
    /// the reference code does: later layers see (and compensate) earlier layers' errors, at one pass per round.
    /// </summary>
    Sequential,
}
