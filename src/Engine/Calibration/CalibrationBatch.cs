namespace ModelPrune.Engine.Calibration;

/// <summary>Consecutive samples of a calibration set, one tensor per model input, ready to feed ONNX Runtime.</summary>
internal sealed class CalibrationBatch
{
    internal CalibrationBatch(int firstSample, int sampleCount, IReadOnlyList<CalibrationBatchInput> inputs)
    {
        FirstSample = firstSample;
        SampleCount = sampleCount;
        Inputs = inputs;
    }

    /// <summary>Index in the set of the batch's first sample.</summary>
    public int FirstSample { get; }

    /// <summary>The batch size: the requested size, except for a smaller last batch.</summary>
    public int SampleCount { get; }

    /// <summary>In the set's input order.</summary>
    public IReadOnlyList<CalibrationBatchInput> Inputs { get; }

    public CalibrationBatchInput this[string inputName] =>
        Inputs.FirstOrDefault(i => string.Equals(i.Name, inputName, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"The batch has no input '{inputName}'.");
}
