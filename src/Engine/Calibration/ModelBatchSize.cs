namespace ModelPrune.Engine.Calibration;

/// <summary>
/// How many samples one ONNX Runtime run of the model is fed: what its inputs fix, else a size chosen here.
/// Shared by every stage that runs the model on calibration or evaluation samples.
/// </summary>
internal static class ModelBatchSize
{
    /// <summary>
    /// Samples per run for calibration statistics when the batch axis is free: statistics are summed over batches,
    /// so this only trades memory for calls.
    /// </summary>
    public const int CalibrationDefault = 8;

    /// <summary>The batch size for calibration statistics: a model with a fixed batch axis must be fed batches of exactly that size.</summary>
    public static int ForCalibration(ModelInputSignature signature) => Fixed(signature) is { } size ? (int)size : CalibrationDefault;

    /// <summary>The batch size the model's inputs fix, or null when the batch axis is free.</summary>
    public static long? Fixed(ModelInputSignature signature) => signature.Inputs
        .Select(i => i.Dimensions is { Count: > 0 } d && d[0].IsFixed ? d[0].Value : null)
        .FirstOrDefault(v => v is > 0);
}
