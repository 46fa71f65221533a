using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Progress;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// The calibration samples for every model input, validated against the model's signature. Immutable:
/// <see cref="Take"/> and <see cref="Split"/> return new sets. <see cref="Sha256"/> identifies the source
/// (the files' bytes, or the synthetic generation parameters) and is kept by Take and Split, so a cache key
/// needs it together with <see cref="SampleCount"/>.
/// </summary>
internal sealed class CalibrationSet
{
    private readonly IReadOnlyList<CalibrationArray> _arrays;

    internal CalibrationSet(IReadOnlyList<CalibrationArray> arrays, int sampleCount, string sha256, bool isSynthetic)
    {
        _arrays = arrays;
        SampleCount = sampleCount;
        Sha256 = sha256;
        IsSynthetic = isSynthetic;
        InputNames = arrays.Select(a => a.Name).ToArray();
    }

    /// <summary>In the model's input order.</summary>
    public IReadOnlyList<string> InputNames { get; }

    public int SampleCount { get; }

    /// <summary>Lower-case hex SHA-256 of the source files' bytes in load order, or of the synthetic parameters.</summary>
    public string Sha256 { get; }

    public bool IsSynthetic { get; }

    /// <summary>One array per input, in the model's input order.</summary>
    public IReadOnlyList<CalibrationArray> Arrays => _arrays;

    public CalibrationArray this[string inputName] =>
        _arrays.FirstOrDefault(a => string.Equals(a.Name, inputName, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"The calibration set has no input '{inputName}'.");

    /// <summary>The first <paramref name="count"/> samples (all of them when there are fewer).</summary>
    public CalibrationSet Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Slice(0, Math.Min(count, SampleCount));
    }

    /// <summary>
    /// Holds out the LAST round(fraction·n) samples (midpoint away from zero), at least one when there are
    /// two or more and the fraction is above zero, never all of them. The last rather than random samples:
    /// the split must not change between builds, and files are usually already shuffled.
    /// </summary>
    public CalibrationSplit Split(double heldOutFraction)
    {
        if (double.IsNaN(heldOutFraction) || heldOutFraction < 0 || heldOutFraction >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "The held-out fraction must be in [0, 1).");
        }

        var heldOut = 0;
        if (SampleCount >= 2 && heldOutFraction > 0)
        {
            var rounded = (int)Math.Round(heldOutFraction * SampleCount, MidpointRounding.AwayFromZero);
            heldOut = Math.Clamp(rounded, 1, SampleCount - 1);
        }

        var fit = SampleCount - heldOut;
        return new CalibrationSplit(Slice(0, fit), Slice(fit, heldOut));
    }

    /// <summary>
    /// Consecutive batches of <paramref name="batchSize"/> samples (the last one smaller when the count does not
    /// divide), each with freshly copied typed arrays, made one at a time so only one batch is held extra.
    /// </summary>
    public IEnumerable<CalibrationBatch> Batches(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Enumerate(batchSize);
    }

    /// <summary>
    /// <see cref="Batches"/> as ONNX Runtime inputs by name. Each batch's values are disposed when the caller moves
    /// on to the next one, so only one batch holds native memory at a time. Every reader of these is a statistics pass
    /// over the calibration set (the long part of calibrated pruning and GPTQ), so the pass reports its progress here,
    /// once for all of them: stage "statistics", batch i/n.
    /// </summary>
    /// <param name="reportProgress">False where the caller reports the pass as part of a stage of its own (statistics collected block by block).</param>
    public IEnumerable<IReadOnlyDictionary<string, OrtValue>> OrtBatches(int batchSize, bool reportProgress = true)
    {
        var batches = Batches(batchSize);
        foreach (var batch in reportProgress ? ModelProgress.Track(batches, "statistics", "batch", (SampleCount + batchSize - 1) / batchSize) : batches)
        {
            var values = batch.Inputs.ToDictionary(i => i.Name, i => i.ToOrtValue(), StringComparer.Ordinal);
            try
            {
                yield return values;
            }
            finally
            {
                foreach (var value in values.Values) value.Dispose();
            }
        }
    }

    private IEnumerable<CalibrationBatch> Enumerate(int batchSize)
    {
        for (var first = 0; first < SampleCount; first += batchSize)
        {
            var count = Math.Min(batchSize, SampleCount - first);
            var inputs = _arrays
                .Select(a => new CalibrationBatchInput(a.Name, a.ElementType, a.ShapeWithSamples(count), a.ToArray(first, count)))
                .ToArray();
            yield return new CalibrationBatch(first, count, inputs);
        }
    }

    private CalibrationSet Slice(int first, int count)
    {
        if (first == 0 && count == SampleCount) return this;
        return new CalibrationSet(_arrays.Select(a => a.Slice(first, count)).ToArray(), count, Sha256, IsSynthetic);
    }
}
