using System.Runtime.InteropServices;
using Onnx;

namespace ModelPrune.Build.Tests.Infrastructure;

/// <summary>Counts zeros in a model's float weight matrices, independently of the engine's own report.</summary>
public static class OnnxWeights
{
    /// <summary>Name → fraction of zeros, for every float initializer with two or more dimensions.</summary>
    public static IReadOnlyDictionary<string, double> MatrixSparsity(byte[] model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var sparsity = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var tensor in proto.Graph.Initializer)
        {
            if (tensor.DataType != (int)TensorProto.Types.DataType.Float || tensor.Dims.Count < 2)
            {
                continue;
            }

            var values = tensor.RawData.Length > 0
                ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
                : tensor.FloatData.ToArray();
            sparsity[tensor.Name] = values.Length == 0 ? 0 : values.Count(v => v == 0f) / (double)values.Length;
        }

        return sparsity;
    }
}
