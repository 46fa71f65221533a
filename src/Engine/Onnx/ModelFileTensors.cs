using Google.Protobuf;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// The tensors of a model read from one .onnx file, moved out of managed memory: each initializer of
/// <see cref="ExternalDataLayout.SizeThreshold"/> or more is re-pointed from the parser's copy to its own bytes in a
/// copy-on-write mapping of the file (<see cref="MappedDataFile"/>), as a model's external data is. From then on every
/// stage treats it as it treats external data: counted and copied from the file, pruned through the spill, never
/// written back to the user's file. The parser's copies are garbage, so the model no longer holds its size in the managed
/// heap (MiniLM: 86 MB) while the statistics, ONNX Runtime's sessions and the pruning allocate beside it.
/// </summary>
internal static class ModelFileTensors
{
    /// <summary>
    /// Files this large are mapped whatever the run. Below it the parser's copies are faster to prune and write than a
    /// mapping and a spill (MiniLM's default magnitude run: 1.60 s with the copies, 1.86 s mapped), and a run that only
    /// prunes by magnitude holds little else beside the model.
    /// </summary>
    public const long MapFromBytes = 256L << 20;

    /// <summary>
    /// For a run that collects statistics (calibration data given), whose sums, sessions and working arrays come on top
    /// of the model, from this size on (MiniLM: wanda's peak 347 MB with the copies, 240 MB mapped; sparsegpt's 390 MB
    /// and 244 MB).
    /// </summary>
    public const long MapForStatisticsFromBytes = 16L << 20;

    /// <summary>The size from which a run (<paramref name="calibrated"/>: one that collects statistics) maps a one-file model.</summary>
    public static long MapFrom(bool calibrated) => calibrated ? MapForStatisticsFromBytes : MapFromBytes;

    // Field numbers in onnx.proto.
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorRawData = 9;

    /// <summary>
    /// Re-points <paramref name="model"/>'s large initializers (parsed from <paramref name="path"/>) to the file's bytes.
    /// False, with the model as it was, when the file does not lay them out as parsed (it changed since, or a field
    /// appears in a form the walk does not follow).
    /// </summary>
    public static bool TryMap(ModelProto model, string path)
    {
        var graph = model.Graph;
        if (graph is null || !graph.Initializer.Any(t => t.RawData.Length >= ExternalDataLayout.SizeThreshold)) return false;

        var file = MappedDataFile.Open(path);
        if (file is null || file.Length > int.MaxValue) return false;
        var whole = file.Slice(0, (int)file.Length);
        List<(long Start, long Length)?>? rawData;
        try
        {
            rawData = FindInitializerRawData(whole.Span);
        }
        finally
        {
            // The walk read a tag before each field: those pages go back.
            MappedDataFile.ReleasePages(whole);
        }

        if (rawData is null || rawData.Count != graph.Initializer.Count) return false;
        for (var i = 0; i < rawData.Count; i++)
        {
            if ((rawData[i]?.Length ?? 0) != graph.Initializer[i].RawData.Length) return false;
        }

        for (var i = 0; i < rawData.Count; i++)
        {
            if (rawData[i] is { } raw && raw.Length >= ExternalDataLayout.SizeThreshold)
            {
                graph.Initializer[i].RawData = UnsafeByteOperations.UnsafeWrap(file.Slice(raw.Start, (int)raw.Length));
            }
        }

        return true;
    }

    /// <summary>
    /// Where each main-graph initializer's raw_data lies in the serialized model, in the order the parser appends them
    /// (null for one without raw_data; the last occurrence wins, as in parsing); null when the bytes cannot be walked.
    /// </summary>
    private static List<(long Start, long Length)?>? FindInitializerRawData(ReadOnlySpan<byte> model)
    {
        var found = new List<(long Start, long Length)?>();
        var modelFields = new List<ProtobufWire.Field>();
        if (!ProtobufWire.TryReadFields(model, 0, model.Length, modelFields)) return null;
        var graphFields = new List<ProtobufWire.Field>();
        var tensorFields = new List<ProtobufWire.Field>();
        foreach (var graph in modelFields.Where(f => f.Number == ModelGraph))
        {
            graphFields.Clear();
            if (graph.WireType != ProtobufWire.LengthDelimited || !ProtobufWire.TryReadFields(model, graph.Start, graph.Length, graphFields)) return null;
            foreach (var tensor in graphFields.Where(f => f.Number == GraphInitializer))
            {
                tensorFields.Clear();
                if (tensor.WireType != ProtobufWire.LengthDelimited || !ProtobufWire.TryReadFields(model, tensor.Start, tensor.Length, tensorFields)) return null;
                var raw = tensorFields.LastOrDefault(f => f.Number == TensorRawData);
                if (raw.Number == TensorRawData && raw.WireType != ProtobufWire.LengthDelimited) return null;
                found.Add(raw.Number == TensorRawData ? (raw.Start, raw.Length) : null);
            }
        }

        return found;
    }
}
