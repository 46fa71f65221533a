using System.Security.Cryptography;
using Google.Protobuf;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>Writes models so that an interrupted build never leaves a half-written file behind.</summary>
internal static class OnnxModelWriter
{
    /// <summary>Protobuf messages cannot be larger than 2 GiB - 1 byte; ONNX would need external data beyond it.</summary>
    private const long ProtobufLimitBytes = int.MaxValue;

    /// <summary>Writes the model under a temporary name, renames it into place, and returns what was written.</summary>
    public static WrittenModel WriteAtomic(ModelProto model, string path)
    {
        var fullPath = Path.GetFullPath(path);
        EnsureFitsProtobufLimit(model, fullPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temp = AtomicFile.TemporaryPathFor(fullPath);
        StagingRegistry.Remember(temp);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long bytes;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var hashing = new HashingStream(file, hash);
                model.WriteTo(hashing);
                hashing.Flush();
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
        EnsureFitsProtobufLimit(model, string.Empty);
        return model.ToByteArray();
    }

    private static void EnsureFitsProtobufLimit(ModelProto model, string file)
    {
        // CalculateSize is an int and silently wraps past 2 GiB, so the tensor payload (nearly all of a
        // large model) is summed as a long first; below that, a wrapped size shows up as negative.
        var tensorBytes = OnnxTensorWalker.AllTensors(model).Sum(site => EstimatePayloadBytes(site.Tensor));
        if (tensorBytes >= ProtobufLimitBytes || model.CalculateSize() < 0)
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelTooLarge,
                file,
                $"the model is larger than the 2 GiB protobuf limit ({tensorBytes} bytes of tensor data) and cannot be written as one .onnx file");
        }
    }

    private static long EstimatePayloadBytes(TensorProto tensor) =>
        tensor.RawData.Length
        + 4L * (tensor.FloatData.Count + tensor.Int32Data.Count)
        + 8L * (tensor.DoubleData.Count + tensor.Int64Data.Count + tensor.Uint64Data.Count)
        + tensor.StringData.Sum(s => (long)s.Length);
}
