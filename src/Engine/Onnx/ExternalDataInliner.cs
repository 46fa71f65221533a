using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Moves tensors stored in external files into raw_data, so every later stage sees plain tensors and
/// the written model is one self-contained file.
/// </summary>
internal static class ExternalDataInliner
{
    /// <summary>Inlines all external tensors and appends each external file once to <paramref name="hash"/>.</summary>
    /// <returns>The external data files read (full paths, in order of first reference); empty when none.</returns>
    public static IReadOnlyList<string> Inline(ModelProto model, string modelPath, IncrementalHash hash)
    {
        var modelFolder = Path.GetDirectoryName(modelPath) ?? Directory.GetCurrentDirectory();
        var files = new Dictionary<string, byte[]>(ModelFolderPaths.PathComparer);
        foreach (var site in OnnxTensorWalker.AllTensors(model))
        {
            var tensor = site.Tensor;
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
            {
                continue;
            }

            var reference = ReadReference(tensor, site.DisplayName, modelPath);
            var resolved = ResolveLocation(modelFolder, reference.Location, site.DisplayName, modelPath);
            if (!files.TryGetValue(resolved, out var bytes))
            {
                bytes = ReadExternalFile(resolved, reference.Location, site.DisplayName, modelPath);
                hash.AppendData(bytes);
                files.Add(resolved, bytes);
            }

            var length = reference.Length ?? bytes.LongLength - reference.Offset;
            if (reference.Offset > bytes.LongLength || length < 0 || reference.Offset + length > bytes.LongLength)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.ExternalDataUnreadable,
                    modelPath,
                    $"tensor '{site.DisplayName}' reads bytes {reference.Offset}..{reference.Offset + length} of '{reference.Location}', which has only {bytes.LongLength} bytes. The data file is truncated or belongs to another model; copy it again with the model.");
            }

            // Wrapping a slice of the file shares its memory instead of copying each tensor out of it.
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes.AsMemory((int)reference.Offset, (int)length));
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }

        return files.Keys.ToArray();
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

    private static byte[] ReadExternalFile(string resolved, string location, string tensorName, string modelPath)
    {
        try
        {
            var size = new FileInfo(resolved).Length;
            if (size > Array.MaxLength)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.ModelTooLarge,
                    modelPath,
                    $"external data file '{location}' is {size} bytes; a model with its weights inlined must stay under the 2 GiB protobuf limit");
            }

            return File.ReadAllBytes(resolved);
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
