using System.Security.Cryptography;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// Loads calibration data for a model: <c>;</c>-separated .npz/.npy paths or file-name globs, concatenated
/// along the sample axis in sorted path order, or the literal <c>synthetic</c>. Files are read only until
/// <c>maxSamples</c> samples are in hand, so a large folder of shards costs what is used; the hash covers
/// exactly the files read.
/// </summary>
internal static class CalibrationLoader
{
    public const string Synthetic = "synthetic";

    /// <summary>Samples used when <c>maxSamples</c> is 0 (CalibrationSamples not set).</summary>
    public const int DefaultMaxSamples = 128;

    public static CalibrationSet Load(string spec, string baseDirectory, ModelInputSignature signature, int maxSamples, int seed, string file)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSamples);
        var limit = maxSamples == 0 ? DefaultMaxSamples : maxSamples;

        var parts = spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Any(p => string.Equals(p, Synthetic, StringComparison.OrdinalIgnoreCase)))
        {
            if (parts.Length > 1)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.InvalidCalibrationData,
                    file,
                    $"Calibration data '{spec}' mixes 'synthetic' with files; use either 'synthetic' alone or only .npz/.npy files.");
            }

            return CalibrationSynthesizer.Create(signature, limit, seed, file);
        }

        var paths = CalibrationFiles.Resolve(spec, baseDirectory, file);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var loaded = new List<LoadedCalibrationFile>();
        var total = 0;
        foreach (var path in paths)
        {
            if (total >= limit) break;

            var display = CalibrationFiles.Display(path, baseDirectory);
            var bytes = ReadBytes(path, display, file);
            hash.AppendData(bytes);
            var arrays = ReadArrays(path, bytes, display, signature, file);
            var samples = CalibrationArrayValidator.Validate(arrays, signature, display, file);
            if (loaded.Count > 0)
            {
                var first = loaded[0];
                foreach (var input in signature.Inputs)
                {
                    CalibrationArrayValidator.CheckConcatenable(arrays[input.Name], input.Name, display, first.Arrays[input.Name].Shape, first.Display, file);
                }
            }

            var used = Math.Min(samples, limit - total);
            loaded.Add(new LoadedCalibrationFile(display, arrays, used));
            total += used;
        }

        if (total == 0)
        {
            throw new ModelPruneException(
                DiagnosticCodes.InvalidCalibrationData,
                file,
                $"The calibration data ({string.Join(", ", loaded.Select(f => $"'{f.Display}'"))}) holds no samples: the first axis of its arrays is 0. Save at least one sample per input.");
        }

        var result = signature.Inputs.Select(input => Concatenate(input, loaded, total, file)).ToArray();
        return new CalibrationSet(result, total, Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), isSynthetic: false);
    }

    private static byte[] ReadBytes(string path, string display, string file)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(
                DiagnosticCodes.InvalidCalibrationData,
                file,
                $"Calibration file '{display}' cannot be read: {ex.Message}",
                ex);
        }
    }

    private static IReadOnlyDictionary<string, NpyArray> ReadArrays(string path, byte[] bytes, string display, ModelInputSignature signature, string file)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        if (CalibrationFiles.IsNpz(path))
        {
            try
            {
                return NpzReader.Read(stream, file);
            }
            catch (ModelPruneException ex)
            {
                // The reader names the entry but not the file as the user wrote it.
                throw new ModelPruneException(ex.Diagnostic.Code, file, $"In '{display}': {ex.Message}", ex);
            }
        }

        // A .npy holds one unnamed array, which can only mean the model's single input.
        if (signature.Inputs.Count != 1)
        {
            throw new ModelPruneException(
                DiagnosticCodes.CalibrationInputMismatch,
                file,
                $"'{display}' is a .npy file, which holds one unnamed array, but the model has {signature.Inputs.Count} inputs ({signature}); save them in one .npz with an array per input, e.g. numpy.savez(path, {string.Join(", ", signature.Inputs.Select(i => $"{i.Name}=..."))}).");
        }

        var array = NpyReader.Read(stream, file, $"The array in '{display}'");
        return new OrderedArrays(new[] { new KeyValuePair<string, NpyArray>(signature.Inputs[0].Name, array) });
    }

    private static CalibrationArray Concatenate(ModelInput input, IReadOnlyList<LoadedCalibrationFile> loaded, int total, string file)
    {
        var firstShape = loaded[0].Arrays[input.Name].Shape;
        var sampleBytes = firstShape.Skip(1).Aggregate(1L, (product, d) => product * d) * CalibrationElementTypes.SizeOf(input.ElementType);
        var bytes = sampleBytes * total;
        if (bytes > Array.MaxLength)
        {
            throw new ModelPruneException(
                DiagnosticCodes.InvalidCalibrationData,
                file,
                $"Calibration input '{input.Name}' would need {bytes} bytes for {total} samples, more than one array can hold; lower CalibrationSamples.");
        }

        var data = new byte[bytes];
        var offset = 0;
        foreach (var part in loaded)
        {
            var length = checked((int)(sampleBytes * part.UsedSamples));
            part.Arrays[input.Name].Data.AsSpan(0, length).CopyTo(data.AsSpan(offset));
            offset += length;
        }

        var shape = firstShape.ToArray();
        shape[0] = total;
        return new CalibrationArray(input.Name, input.ElementType, shape, data);
    }
}
