using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// Replaces a float constant by 8-bit codes and a <c>DequantizeLinear</c> node (opset-13 semantics: one scale
/// and zero point per index of <c>axis</c>) whose output keeps the constant's name. Every consumer, wherever
/// it is and whatever op it is, then reads the same float values as before without being touched.
/// </summary>
internal static class PerChannelDequantizeLinear
{
    public const int MinimumOpset = 13;

    private const byte SymmetricZero = 128;

    /// <summary>Why the constant cannot take this format in this model, or null.</summary>
    public static string? Refusal(ModelGraphIndex index, TensorProto tensor)
    {
        var opset = index.DefaultOpset();
        if (opset < MinimumOpset)
        {
            return $"DequantizeLinear with one scale per channel needs ai.onnx opset {MinimumOpset}; the model imports opset {opset} and is not upgraded for this";
        }

        if (tensor.DataType != TensorElementTypes.Float)
        {
            return $"DequantizeLinear (opset 13) produces float32; the weight is {TensorElementTypes.Name(tensor.DataType)}";
        }

        return null;
    }

    /// <param name="codes">Codes in [0, 255] laid out like the tensor.</param>
    /// <param name="scales">One per index of <paramref name="axis"/>.</param>
    /// <param name="zeros">One per index of <paramref name="axis"/>.</param>
    /// <returns>The name of the DequantizeLinear node, and the bytes of the tensors that now hold the constant.</returns>
    public static (string Node, long StoredBytes) Replace(ModelGraphIndex index, StorageSite site, byte[] codes, float[] scales, byte[] zeros, int axis)
    {
        var dims = site.Tensor.Dims.ToArray();
        var channels = new[] { (long)scales.Length };
        var nodeName = index.UniqueName($"{site.Name}_DequantizeLinear");
        var scaleName = index.UniqueName($"{site.Name}_scale");
        var codesName = index.UniqueName($"{site.Name}_quantized");
        var node = new NodeProto { OpType = "DequantizeLinear", Name = nodeName };
        node.Input.Add(codesName);
        node.Input.Add(scaleName);
        node.Output.Add(site.Name);
        node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
        var initializers = new List<TensorProto> { QuantizedTensors.Float(scaleName, channels, scales) };

        // A symmetric grid is stored as int8 without a zero point (the default zero is 0): the form integer
        // kernels and later int8 rewrites expect. Any other grid keeps its uint8 codes and zero points.
        if (zeros.All(z => z == SymmetricZero))
        {
            initializers.Add(QuantizedTensors.Int8(codesName, dims, codes.Select(c => unchecked((byte)(c - SymmetricZero))).ToArray()));
        }
        else
        {
            var zeroName = index.UniqueName($"{site.Name}_zero_point");
            node.Input.Add(zeroName);
            initializers.Add(QuantizedTensors.UInt8(codesName, dims, codes));
            initializers.Add(QuantizedTensors.UInt8(zeroName, channels, zeros));
        }

        site.ReplaceWith(node, initializers);
        return (nodeName, QuantizedTensors.Bytes(initializers));
    }
}
