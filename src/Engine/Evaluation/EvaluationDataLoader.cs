using System.Globalization;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Reads EvaluationData: one .npz with an array per model input (checked exactly as calibration data is) and
/// optional integer label arrays (<c>labels</c>, <c>labels_&lt;output&gt;</c>) with one entry per sample on
/// their first axis. The first <c>maxSamples</c> samples are kept.
/// </summary>
internal static class EvaluationDataLoader
{
    public const int DefaultMaxSamples = 256;

    public static EvaluationData Load(string spec, string baseDirectory, ModelInputSignature signature, int maxSamples, string file)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamples, 1);
        var path = Path.GetFullPath(spec, Path.GetFullPath(baseDirectory));
        if (!File.Exists(path))
        {
            throw new ModelPruneException(DiagnosticCodes.EvaluationDataNotFound, file,
                $"Evaluation data file '{spec}' does not exist (looked for {path}); fix the path, which is relative to the project folder.");
        }

        if (!CalibrationFiles.IsNpz(path))
        {
            throw new ModelPruneException(DiagnosticCodes.EvaluationDataNotFound, file,
                $"Evaluation data file '{spec}' is not an .npz; save one array per model input (and optional 'labels') with numpy.savez.");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(DiagnosticCodes.EvaluationDataNotFound, file, $"Evaluation data file '{spec}' cannot be read: {e.Message}", e);
        }

        var display = CalibrationFiles.Display(path, baseDirectory);
        IReadOnlyDictionary<string, NpyArray> arrays;
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            try
            {
                arrays = NpzReader.Read(stream, file);
            }
            catch (ModelPruneException e)
            {
                throw new ModelPruneException(e.Diagnostic.Code, file, $"In '{display}': {e.Message}", e);
            }
        }

        var samples = CalibrationArrayValidator.Validate(arrays, signature, display, file, EvaluationLabels.IsLabelName);
        if (samples == 0)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidCalibrationData, file,
                $"The evaluation data '{display}' holds no samples: the first axis of its arrays is 0. Save at least one sample per input.");
        }

        var used = Math.Min(samples, maxSamples);
        var inputs = signature.Inputs.Select(input => ToCalibrationArray(input, arrays[input.Name], used)).ToArray();
        var labels = arrays
            .Where(a => EvaluationLabels.IsLabelName(a.Key) && signature.Find(a.Key) is null)
            .ToDictionary(a => a.Key, a => ReadLabels(a.Key, a.Value, samples, display, file).Take(used), StringComparer.Ordinal);
        var sha256 = FileHash.Sha256Hex(bytes);
        return new EvaluationData(spec, sha256, new CalibrationSet(inputs, used, sha256, isSynthetic: false), new EvaluationLabels(labels));
    }

    private static CalibrationArray ToCalibrationArray(ModelInput input, NpyArray array, int samples)
    {
        var shape = array.Shape.ToArray();
        var sampleBytes = shape.Skip(1).Aggregate(1L, (product, d) => product * d) * CalibrationElementTypes.SizeOf(input.ElementType);
        shape[0] = samples;
        return new CalibrationArray(input.Name, input.ElementType, shape, array.Data.AsSpan(0, checked((int)(sampleBytes * samples))).ToArray());
    }

    private static LabelArray ReadLabels(string name, NpyArray array, int samples, string display, string file)
    {
        if (array.DType is not ("<i8" or "<i4" or "|i1" or "|u1"))
        {
            throw InvalidLabels(file, $"Array '{name}' in '{display}' has dtype {CalibrationElementTypes.DescribeDType(array.DType)}; labels are class or token indices, saved as integers, e.g. labels.astype(numpy.int64).");
        }

        if (array.Shape.Count == 0 || array.Shape[0] != samples)
        {
            throw InvalidLabels(file, string.Create(CultureInfo.InvariantCulture,
                $"Array '{name}' in '{display}' has shape {CalibrationArrayValidator.NumpyShape(array.Shape)} but the inputs hold {samples} samples; labels need one entry per sample on the first axis ([samples] for classes, [samples, sequence] for next tokens)."));
        }

        // int8 is signed: -1 and -100 mark positions to ignore, which NpyArray.ToInt64 would read as 255 and 156.
        var values = array.DType == "|i1" ? array.Data.Select(b => (long)(sbyte)b).ToArray() : array.ToInt64();
        return new LabelArray(name, array.Shape.ToArray(), values);
    }

    internal static ModelPruneException InvalidLabels(string file, string message) => new(DiagnosticCodes.InvalidEvaluationLabels, file, message);
}
