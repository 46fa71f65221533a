using System.Security.Cryptography;
using Google.Protobuf;
using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>Loads an .onnx file with its external data inlined (mapped, as are a large file's own tensors), and hashes what it read.</summary>
internal static class OnnxModelReader
{
    /// <param name="mapFromBytes">From this file size on, large tensors are mapped from the file (<see cref="ModelFileTensors"/>); tests lower it.</param>
    public static OnnxModel Read(string path, long mapFromBytes = ModelFileTensors.MapFromBytes)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ModelPruneException(DiagnosticCodes.ModelNotFound, fullPath, $"The model path '{fullPath}' is a folder, not an .onnx file. Give the model file itself, e.g. '{Path.Combine(fullPath, "model.onnx")}'.");
        }

        if (!File.Exists(fullPath))
        {
            throw new ModelPruneException(DiagnosticCodes.ModelNotFound, fullPath, $"The model file '{fullPath}' does not exist. Check the path (relative paths are relative to the project or current folder).");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ModelProto proto;
        long fileBytes;
        try
        {
            // One pass over the file both hashes and parses it; the bytes never exist twice in memory.
            using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            var hashing = new HashingStream(file, hash);
            proto = Parse(hashing, fullPath);
            hashing.DrainToEnd();
            fileBytes = hashing.BytesRead;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(DiagnosticCodes.ModelNotFound, fullPath, $"The model file '{fullPath}' cannot be read: {e.Message}. Check its permissions and that no other program holds it locked.", e);
        }

        if (fileBytes >= mapFromBytes && ModelFileTensors.TryMap(proto, fullPath))
        {
            // The parser's copies of the tensors, as large as the file, are garbage now: hand them back at once, not when
            // the next stages' allocations would otherwise add to them.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var externalDataFiles = ExternalDataInliner.Inline(proto, fullPath, hash);
        var sha256 = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        return new OnnxModel(proto, fullPath, sha256, fileBytes, externalDataFiles);
    }

    private static ModelProto Parse(Stream stream, string fullPath)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelPruneException(
                DiagnosticCodes.NotAnOnnxModel,
                fullPath,
                $"The file is not an ONNX model (protobuf parse failed: {e.Message}). Check that it is a complete .onnx file, not a Git LFS pointer or a partial download.",
                e);
        }

        // Arbitrary bytes sometimes parse as a message made only of unknown fields; a graph is what makes it a model.
        if (proto.Graph is null)
        {
            throw new ModelPruneException(
                DiagnosticCodes.NotAnOnnxModel,
                fullPath,
                "The file is not an ONNX model: it contains no graph. Check that it is a complete .onnx file, not a Git LFS pointer or a partial download.");
        }

        return proto;
    }
}
