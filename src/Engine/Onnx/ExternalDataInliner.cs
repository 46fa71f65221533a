using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Moves tensors stored in external files into raw_data, so every later stage sees plain tensors and the written model
/// can be one self-contained file. The raw_data of such a tensor is a slice of its data file mapped into memory
/// (<see cref="MappedDataFile"/>), not a copy: reading a model does not hold all its tensors in managed memory, and a
/// data file larger than 2 GiB (one .NET array) can be read.
/// </summary>
internal static class ExternalDataInliner
{
    private const int HashBufferBytes = 1 << 20;

    /// <summary>Inlines all external tensors and appends each external file once to <paramref name="hash"/>.</summary>
    /// <returns>The external data files read (full paths, in order of first reference); empty when none.</returns>
    public static IReadOnlyList<string> Inline(ModelProto model, string modelPath, IncrementalHash hash)
    {
        var modelFolder = Path.GetDirectoryName(modelPath) ?? Directory.GetCurrentDirectory();
        var files = new Dictionary<string, MappedDataFile?>(ModelFolderPaths.PathComparer);
        var order = new List<string>();
        foreach (var site in OnnxTensorWalker.AllTensors(model))
        {
            var tensor = site.Tensor;
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
            {
                continue;
            }

            var reference = ReadReference(tensor, site.DisplayName, modelPath);
            var resolved = ResolveLocation(modelFolder, reference.Location, site.DisplayName, modelPath);
            if (!files.TryGetValue(resolved, out var mapped))
            {
                mapped = MapExternalFile(resolved, reference.Location, site.DisplayName, modelPath, hash);
                files.Add(resolved, mapped);
                order.Add(resolved);
            }

            var fileLength = mapped?.Length ?? 0;
            var length = reference.Length ?? fileLength - reference.Offset;
            if (reference.Offset > fileLength || length < 0 || reference.Offset + length > fileLength)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.ExternalDataUnreadable,
                    modelPath,
                    $"tensor '{site.DisplayName}' reads bytes {reference.Offset}..{reference.Offset + length} of '{reference.Location}', which has only {fileLength} bytes. The data file is truncated or belongs to another model; copy it again with the model.");
            }

            if (length > int.MaxValue)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.ModelTooLarge,
                    modelPath,
                    $"tensor '{site.DisplayName}' holds {length} bytes in '{reference.Location}'; one tensor must stay under 2 GiB (the protobuf limit of raw_data)");
            }

            // A slice of the mapped file: nothing is copied, and pages are read when a stage first touches them.
            tensor.RawData = mapped is null || length == 0
                ? ByteString.Empty
                : UnsafeByteOperations.UnsafeWrap(mapped.Slice(reference.Offset, (int)length));
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }

        return order;
    }

    private static ExternalDataReference ReadReference(TensorProto tensor, string tensorName, string modelPath)
    {
        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset":
                    offset = ParseNonNegative(entry.Value, "offset", tensorName, modelPath);
                    break;
                case "length":
                    length = ParseNonNegative(entry.Value, "length", tensorName, modelPath);
                    break;
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            throw new ModelPruneException(
                DiagnosticCodes.ExternalDataUnreadable,
                modelPath,
                $"tensor '{tensorName}' is marked as external data but names no location");
        }

        return new ExternalDataReference(location, offset, length);
    }

    private static long ParseNonNegative(string text, string key, string tensorName, string modelPath)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new ModelPruneException(
            DiagnosticCodes.ExternalDataUnreadable,
            modelPath,
            $"tensor '{tensorName}' has an invalid external data {key} '{text}'");
    }

    private static string ResolveLocation(string modelFolder, string location, string tensorName, string modelPath)
    {
        string? resolved;
        try
        {
            resolved = ModelFolderPaths.ResolveInside(modelFolder, location);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ModelPruneException(
                DiagnosticCodes.ExternalDataUnreadable,
                modelPath,
                $"tensor '{tensorName}' stores its data in '{location}', which cannot be resolved: {e.Message}",
                e);
        }

        return resolved ?? throw new ModelPruneException(
            DiagnosticCodes.ExternalDataOutsideModelFolder,
            modelPath,
            $"tensor '{tensorName}' stores its data in '{location}', which is outside the model's folder '{modelFolder}'; external data must be a relative path inside that folder. Move the data file next to the model and re-save it with a relative location.");
    }

    /// <summary>Hashes the file in one sequential pass and maps it; null for an empty file.</summary>
    private static MappedDataFile? MapExternalFile(string resolved, string location, string tensorName, string modelPath, IncrementalHash hash)
    {
        try
        {
            using (var stream = new FileStream(resolved, FileMode.Open, FileAccess.Read, FileShare.Read, HashBufferBytes, FileOptions.SequentialScan))
            {
                var buffer = new byte[HashBufferBytes];
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, read);
            }

            return MappedDataFile.Open(resolved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(
                DiagnosticCodes.ExternalDataUnreadable,
                modelPath,
                $"tensor '{tensorName}' stores its data in '{location}', which cannot be read: {e.Message}. Copy the model's data files along with the .onnx file.",
                e);
        }
    }
}
