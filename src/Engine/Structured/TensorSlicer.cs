using Google.Protobuf;
using Google.Protobuf.Collections;
using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// Keeps only some indices of one axis of a constant, in place and in its own element type and storage (raw bytes or
/// the typed field), so the pruned model stores every kept value bit for bit as the original did.
/// </summary>
internal static class TensorSlicer
{
    public static void Keep(TensorProto tensor, int axis, IReadOnlyList<int> kept)
    {
        var dims = tensor.Dims.ToArray();
        var outer = dims.Take(axis).Aggregate(1L, (a, b) => a * b);
        var length = dims[axis];
        var inner = dims.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidOperationException($"tensor '{tensor.Name}' still refers to external data; load models with OnnxModelReader, which inlines it");
        }

        if (tensor.RawData.Length > 0)
        {
            var size = TensorElementTypes.SizeOf(tensor.DataType);
            var source = tensor.RawData.Span;
            var result = new byte[checked(outer * kept.Count * inner * size)];
            var run = (int)(inner * size);
            var target = 0;
            for (long o = 0; o < outer; o++)
            {
                foreach (var index in kept)
                {
                    source.Slice((int)(((o * length) + index) * inner * size), run).CopyTo(result.AsSpan(target, run));
                    target += run;
                }
            }

            tensor.RawData = UnsafeByteOperations.UnsafeWrap(result);
        }
        else
        {
            Keep(tensor.FloatData, outer, length, inner, kept);
            Keep(tensor.DoubleData, outer, length, inner, kept);
            Keep(tensor.Int32Data, outer, length, inner, kept);
            Keep(tensor.Int64Data, outer, length, inner, kept);
        }

        tensor.Dims[axis] = kept.Count;
    }

    private static void Keep<T>(RepeatedField<T> values, long outer, long length, long inner, IReadOnlyList<int> kept)
    {
        if (values.Count == 0) return;
        var copy = values.ToArray();
        values.Clear();
        for (long o = 0; o < outer; o++)
        {
            foreach (var index in kept)
            {
                var start = ((o * length) + index) * inner;
                for (long i = 0; i < inner; i++) values.Add(copy[start + i]);
            }
        }
    }
}
