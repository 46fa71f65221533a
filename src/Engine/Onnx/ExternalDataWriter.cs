using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Writes a model as a pair of files: the .onnx file with every tensor of <see cref="ExternalDataLayout.SizeThreshold"/>
/// or more replaced by a reference, and one data file holding those tensors at aligned offsets. The data file is
/// streamed tensor by tensor from the tensors' own buffers; no byte array of the whole file is ever built.
/// </summary>
internal static class ExternalDataWriter
{
    private const int StreamBufferBytes = 1 << 20;

    /// <summary>
    /// Writes <paramref name="modelPath"/> and <paramref name="dataPath"/> (new files: the caller stages them in one folder
    /// and renames them into place together). The model names its data file by <paramref name="dataPath"/>'s file name alone.
    /// The model is left as it was given (tensors in typed fields come back as raw_data, which holds the same values).
    /// </summary>
    /// <param name="prefilled">
    /// Whether the spill already wrote tensors to their place in <paramref name="dataPath"/> (<see cref="Plan"/>); the
    /// writer then adds the others and reads those back for the hash. The file may not exist yet.
    /// </param>
    public static WrittenModel Write(ModelProto model, string modelPath, string dataPath, long limitBytes, bool prefilled = false)
    {
        var location = Path.GetFileName(dataPath);
        if (!IsPlainFileName(location))
        {
            throw new ArgumentException($"The data file name '{location}' must be a plain file name.", nameof(dataPath));
        }

        var moved = Layout(model);
        try
        {
            foreach (var tensor in moved)
            {
                tensor.Tensor.RawData = ByteString.Empty;
                tensor.Tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.Tensor.ExternalData.Add(Entry("location", location));
                tensor.Tensor.ExternalData.Add(Entry("offset", tensor.Offset.ToString(CultureInfo.InvariantCulture)));
                tensor.Tensor.ExternalData.Add(Entry("length", tensor.Bytes.Length.ToString(CultureInfo.InvariantCulture)));
            }

            // What stays in the .onnx file (graph, small tensors, tensors in types with no raw form) must itself fit.
            var modelBytes = model.CalculateSize();
            if (modelBytes < 0 || modelBytes >= limitBytes)
            {
                throw new ModelPruneException(DiagnosticCodes.ModelTooLarge, modelPath,
                    "even with its large tensors in a data file, the rest of the model (the graph, and tensors stored in typed fields such as strings) passes the 2 GiB protobuf limit");
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var written = WriteModel(model, modelPath, hash);
            var dataBytes = prefilled ? FillData(moved, dataPath, hash) : WriteData(moved, dataPath, hash);
            return new WrittenModel(Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), written + dataBytes, dataBytes);
        }
        finally
        {
            // The caller's model stays usable (a sweep or a cache may read it again).
            foreach (var tensor in moved)
            {
                tensor.Tensor.ExternalData.Clear();
                tensor.Tensor.DataLocation = TensorProto.Types.DataLocation.Default;
                tensor.Tensor.RawData = tensor.Bytes;
            }
        }
    }

    /// <summary>Where <see cref="Write"/> would put each tensor of <paramref name="model"/> in <paramref name="dataPath"/>, were it written now.</summary>
    public static PlannedDataFile Plan(ModelProto model, string dataPath)
    {
        var offsets = new Dictionary<TensorProto, long>(ReferenceEqualityComparer.Instance);
        foreach (var tensor in Layout(model)) offsets.Add(tensor.Tensor, tensor.Offset);
        return new PlannedDataFile(Path.GetFullPath(dataPath), offsets);
    }

    /// <summary>A relative location with no folder part cannot lead out of the model's folder, whoever reads it.</summary>
    public static bool IsPlainFileName(string name) =>
        name.Length > 0 && name != "." && name != ".."
        && name.IndexOfAny(new[] { '/', '\\', ':' }) < 0
        && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;

    /// <summary>The tensors that go to the data file, in model order, each with its aligned offset.</summary>
    private static List<MovedTensor> Layout(ModelProto model)
    {
        var moved = new List<MovedTensor>();
        long end = 0;
        foreach (var site in OnnxTensorWalker.AllTensors(model))
        {
            // Initializers and Constant values are where weights live; ONNX Runtime reads external data in both.
            if (site.Kind is not (TensorSiteKind.Initializer or TensorSiteKind.ConstantValue)) continue;
            var tensor = site.Tensor;
            if (tensor.DataLocation == TensorProto.Types.DataLocation.External || !TryGetRawBytes(tensor, out var bytes)) continue;
            if (bytes.Length < ExternalDataLayout.SizeThreshold) continue;

            var offset = ExternalDataLayout.AlignUp(end);
            moved.Add(new MovedTensor(tensor, offset, bytes));
            end = offset + bytes.Length;
        }

        return moved;
    }

    /// <summary>
    /// The tensor's bytes as ONNX stores them in raw_data (little-endian). Tensors written in typed fields are moved to
    /// raw_data first, the same values in the form external data needs; types without a raw form (strings) stay inside.
    /// </summary>
    private static bool TryGetRawBytes(TensorProto tensor, out ByteString bytes)
    {
        bytes = tensor.RawData;
        if (!bytes.IsEmpty) return true;

        byte[]? raw = (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Float when tensor.FloatData.Count > 0 => ToLittleEndian(tensor.FloatData.ToArray(), (span, v) => BinaryPrimitives.WriteSingleLittleEndian(span, v), 4),
            TensorProto.Types.DataType.Double when tensor.DoubleData.Count > 0 => ToLittleEndian(tensor.DoubleData.ToArray(), (span, v) => BinaryPrimitives.WriteDoubleLittleEndian(span, v), 8),
            TensorProto.Types.DataType.Int32 when tensor.Int32Data.Count > 0 => ToLittleEndian(tensor.Int32Data.ToArray(), (span, v) => BinaryPrimitives.WriteInt32LittleEndian(span, v), 4),
            TensorProto.Types.DataType.Int64 when tensor.Int64Data.Count > 0 => ToLittleEndian(tensor.Int64Data.ToArray(), (span, v) => BinaryPrimitives.WriteInt64LittleEndian(span, v), 8),
            _ => null,
        };
        if (raw is null) return false;

        tensor.FloatData.Clear();
        tensor.DoubleData.Clear();
        tensor.Int32Data.Clear();
        tensor.Int64Data.Clear();
        bytes = UnsafeByteOperations.UnsafeWrap(raw);
        tensor.RawData = bytes;
        return true;
    }

    private static byte[] ToLittleEndian<T>(T[] values, SpanWriter<T> write, int size)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++) write(bytes.AsSpan(i * size, size), values[i]);
        return bytes;
    }

    private delegate void SpanWriter<in T>(Span<byte> destination, T value);

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };

    private static long WriteModel(ModelProto model, string path, IncrementalHash hash)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var hashing = new HashingStream(file, hash);
        model.WriteTo(hashing);
        hashing.Flush();
        file.Flush(flushToDisk: true);
        return hashing.BytesWritten;
    }

    private static long WriteData(List<MovedTensor> moved, string path, IncrementalHash hash)
    {
        var padding = new byte[ExternalDataLayout.Alignment];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, StreamBufferBytes);
        var hashing = new HashingStream(file, hash);
        long position = 0;
        foreach (var tensor in moved)
        {
            var gap = checked((int)(tensor.Offset - position));
            hashing.Write(padding, 0, gap);
            // A mapped tensor that was only read comes from its file, so its pages are never made resident.
            if (!MappedDataFile.TryReadInChunks(tensor.Bytes.Memory, chunk => hashing.Write(chunk)))
            {
                hashing.Write(tensor.Bytes.Span);
                MappedDataFile.ReleasePages(tensor.Bytes.Memory);
            }
            position = tensor.Offset + tensor.Bytes.Length;
        }

        hashing.Flush();
        file.Flush(flushToDisk: true);
        return hashing.BytesWritten;
    }

    /// <summary>
    /// <see cref="WriteData"/> into a data file the spill has partly written (<see cref="PlannedDataFile"/>): a tensor
    /// mapped from its own place there is only read back for the hash; the others are written to their offsets. The gaps
    /// were never written, so they read as the zeros the hash takes.
    /// </summary>
    private static long FillData(List<MovedTensor> moved, string path, IncrementalHash hash)
    {
        var padding = new byte[ExternalDataLayout.Alignment];
        var fullPath = Path.GetFullPath(path);
        // The spill's mappings keep their own handle on the file; this one shares it.
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
        long position = 0;
        foreach (var tensor in moved)
        {
            hash.AppendData(padding, 0, checked((int)(tensor.Offset - position)));
            var memory = tensor.Bytes.Memory;
            if (MappedDataFile.LiesAt(memory, fullPath, tensor.Offset))
            {
                MappedDataFile.TryReadInChunks(memory, hash.AppendData);
            }
            else
            {
                var at = tensor.Offset;
                if (!MappedDataFile.TryReadInChunks(memory, chunk =>
                    {
                        RandomAccess.Write(file.SafeFileHandle, chunk, at);
                        hash.AppendData(chunk);
                        at += chunk.Length;
                    }))
                {
                    RandomAccess.Write(file.SafeFileHandle, memory.Span, at);
                    hash.AppendData(memory.Span);
                    MappedDataFile.ReleasePages(memory);
                }
            }

            position = tensor.Offset + tensor.Bytes.Length;
        }

        // The last tensor may have been left by pruning and the file end short of it; it never ends past it.
        if (file.Length < position) file.SetLength(position);
        file.Flush(flushToDisk: true);
        return position;
    }

    private readonly record struct MovedTensor(TensorProto Tensor, long Offset, ByteString Bytes);
}
