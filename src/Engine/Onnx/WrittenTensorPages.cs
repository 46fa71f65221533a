using Google.Protobuf;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// While a model is serialized in one piece, hands back the mapped pages of each tensor the serializer has copied past
/// (<see cref="MappedDataFile.ReleasePages"/>). Serializing reads every tensor through its mapping, which left the whole
/// model resident at the end of the write: MiniLM with wanda, 88 MB on top of the run, its peak.
/// </summary>
internal sealed class WrittenTensorPages
{
    private readonly List<(long End, ByteString Bytes)> _tensors;
    private int _next;

    private WrittenTensorPages(List<(long End, ByteString Bytes)> tensors) => _tensors = tensors;

    /// <summary>The mapped initializers of <paramref name="model"/> (at most 2 GiB: it is written in one piece); null when none is mapped.</summary>
    public static WrittenTensorPages? For(ModelProto model)
    {
        var initializers = model.Graph?.Initializer;
        if (initializers is null || !initializers.Any(t => MappedDataFile.IsMapped(t.RawData.Memory))) return null;

        // Serialization follows field numbers, so the graph's initializers come out in order, each as a one-byte tag, a
        // length and the tensor. Counting everything else in the model as if it came before them gives ends that are
        // never early: a tensor's pages go only once all of it is written.
        var sizes = initializers.Select(t => 1L + CodedOutputStream.ComputeMessageSize(t)).ToList();
        var end = model.CalculateSize() - sizes.Sum();
        var tensors = new List<(long End, ByteString Bytes)>();
        for (var i = 0; i < initializers.Count; i++)
        {
            end += sizes[i];
            if (MappedDataFile.IsMapped(initializers[i].RawData.Memory)) tensors.Add((end, initializers[i].RawData));
        }

        return new WrittenTensorPages(tensors);
    }

    /// <summary>After each write: the tensors that lie wholly within the first <paramref name="bytes"/> bytes.</summary>
    public void Written(long bytes)
    {
        while (_next < _tensors.Count && _tensors[_next].End <= bytes)
        {
            MappedDataFile.ReleasePages(_tensors[_next++].Bytes.Memory);
        }
    }

    /// <summary>Once the model is written: every tensor not yet handed back.</summary>
    public void ReleaseRest() => Written(long.MaxValue);
}
