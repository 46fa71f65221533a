using System.Security.Cryptography;
using Google.Protobuf;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>Writes models so that an interrupted build never leaves a half-written file behind.</summary>
internal static class OnnxModelWriter
{
    /// <summary>Protobuf messages cannot be larger than 2 GiB - 1 byte; ONNX needs external data beyond it.</summary>
    internal const long ProtobufLimitBytes = int.MaxValue;

    /// <summary>
    /// Whether the model is written with a data file: always, never, or (auto) when one .onnx file would pass
    /// <paramref name="limitBytes"/>. With <see cref="ExternalDataMode.Never"/> a model past the limit is error MP1015.
    /// </summary>
    /// <param name="limitBytes">The protobuf limit; tests lower it instead of building a 2 GiB model.</param>
    public static bool UsesExternalData(ModelProto model, ExternalDataMode mode, string file, long limitBytes = ProtobufLimitBytes) => mode switch
    {
        ExternalDataMode.Always => true,
        ExternalDataMode.Never => EnsureFitsProtobufLimit(model, file, limitBytes),
        _ => !FitsProtobufLimit(model, limitBytes, out _),
    };

    /// <summary>
    /// Writes the model as <paramref name="modelPath"/> and its large tensors to <paramref name="dataPath"/>, whose file
    /// name the model refers to: both must be new files in one folder, which the caller stages and renames together.
    /// </summary>
    /// <param name="prefilled">Whether the spill wrote pruned tensors to their place in <paramref name="dataPath"/> already (<see cref="PlannedDataFile"/>).</param>
    public static WrittenModel WriteWithExternalData(ModelProto model, string modelPath, string dataPath, long limitBytes = ProtobufLimitBytes, bool prefilled = false)
    {
        if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(modelPath)), Path.GetDirectoryName(Path.GetFullPath(dataPath)), StringComparison.Ordinal))
        {
            throw new ArgumentException("The model and its data file must be written to one folder.", nameof(dataPath));
        }

        return ExternalDataWriter.Write(model, modelPath, dataPath, limitBytes, prefilled);
    }

    /// <summary>Writes the model under a temporary name, renames it into place, and returns what was written.</summary>
    public static WrittenModel WriteAtomic(ModelProto model, string path)
    {
        var fullPath = Path.GetFullPath(path);
        EnsureFitsProtobufLimit(model, fullPath, ProtobufLimitBytes);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temp = AtomicFile.TemporaryPathFor(fullPath);
        StagingRegistry.Remember(temp);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long bytes;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var pages = WrittenTensorPages.For(model);
                var hashing = new HashingStream(file, hash) { AfterWrite = pages is null ? null : pages.Written };
                model.WriteTo(hashing);
                hashing.Flush();
                pages?.ReleaseRest();
                file.Flush(flushToDisk: true);
                bytes = hashing.BytesWritten;
            }

            File.Move(temp, fullPath, overwrite: true);
            return new WrittenModel(Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), bytes);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
        finally
        {
            StagingRegistry.Forget(new[] { temp });
        }
    }

    public static byte[] ToBytes(ModelProto model)
    {
        EnsureFitsProtobufLimit(model, string.Empty, ProtobufLimitBytes);
        return model.ToByteArray();
    }

    /// <returns>Always false (the model is written inline); throws MP1015 when it cannot be.</returns>
    private static bool EnsureFitsProtobufLimit(ModelProto model, string file, long limitBytes)
    {
        if (FitsProtobufLimit(model, limitBytes, out var tensorBytes)) return false;

        throw new ModelPruneException(
            DiagnosticCodes.ModelTooLarge,
            file,
            $"the model is larger than the 2 GiB protobuf limit ({tensorBytes} bytes of tensor data) and ExternalData=\"never\" asks for one .onnx file. Use ExternalData=\"auto\" (the default) or \"always\": the tensors then go to a data file beside the model ({ExternalDataLayout.Extension}).");
    }

    private static bool FitsProtobufLimit(ModelProto model, long limitBytes, out long tensorBytes)
    {
        // CalculateSize is an int and silently wraps past 2 GiB, so the tensor payload (nearly all of a
        // large model) is summed as a long first; below that, a wrapped size shows up as negative.
        tensorBytes = OnnxTensorWalker.AllTensors(model).Sum(site => EstimatePayloadBytes(site.Tensor));
        if (tensorBytes >= limitBytes) return false;
        var size = model.CalculateSize();
        return size >= 0 && size < limitBytes;
    }

    private static long EstimatePayloadBytes(TensorProto tensor) =>
        tensor.RawData.Length
        + 4L * (tensor.FloatData.Count + tensor.Int32Data.Count)
        + 8L * (tensor.DoubleData.Count + tensor.Int64Data.Count + tensor.Uint64Data.Count)
        + tensor.StringData.Sum(s => (long)s.Length);
}
