using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// QuantizeActivations="dynamic": each MatMul that multiplies by a constant weight W [K, N] becomes one
/// <c>com.microsoft.DynamicQuantizeMatMul</c>, which quantizes its float input to uint8 as it runs and multiplies with
/// integer kernels against W stored int8 with one scale per output column (B [K, N], b_scale [N], zero point 0).
/// The weight must be on a symmetric 8-bit per-channel grid, whose codes q − 128 are exactly those int8 values.
/// </summary>
internal static class DynamicQuantizeMatMulWriter
{
    public const string Format = "DynamicQuantizeMatMul";

    private const byte SymmetricZero = 128;

    /// <summary>Why <see cref="Write"/> would leave the model untouched, or null: the same checks, without writing.</summary>
    public static string? Refusal(ModelProto model, PrunableWeight weight, QuantizedMatrix quantized) =>
        ConstantWeightMatMuls.Locate(new ModelGraphIndex(model), weight, Format, () => GridRefusal(weight, quantized), out _, out _);

    public static FormatWriteResult Write(ModelProto model, PrunableWeight weight, QuantizedMatrix quantized)
    {
        var index = new ModelGraphIndex(model);
        var refusal = ConstantWeightMatMuls.Locate(index, weight, Format, () => GridRefusal(weight, quantized), out var consumers, out var site);
        if (refusal is not null)
        {
            return FormatWriteResult.Skipped(weight.Name, Format, refusal);
        }

        var K = quantized.Cols;
        var N = quantized.Rows;
        // Row n of the quantized matrix is column n of W: B keeps W's [K, N] layout.
        var b = new byte[K * N];
        for (var n = 0; n < N; n++)
        {
            for (var k = 0; k < K; k++)
            {
                b[(k * N) + n] = unchecked((byte)(quantized.Codes[(n * K) + k] - SymmetricZero));
            }
        }

        var bName = index.UniqueName($"{site!.Name}_int8");
        var scaleName = index.UniqueName($"{site.Name}_scale");
        var initializers = new List<TensorProto>
        {
            QuantizedTensors.Int8(bName, new long[] { K, N }, b),
            QuantizedTensors.Float(scaleName, new long[] { N }, quantized.Scales),
        };
        ConstantWeightMatMuls.ReplaceConsumers(model, index, site, initializers, consumers, node =>
        {
            var replacement = new NodeProto { OpType = Format, Domain = ConstantWeightMatMuls.MicrosoftDomain, Name = node.Name, DocString = node.DocString };
            replacement.Input.Add(node.Input[0]);
            replacement.Input.Add(bName);
            replacement.Input.Add(scaleName);
            replacement.Output.Add(node.Output);
            return replacement;
        });
        return new FormatWriteResult(weight.Name, Format, null, weight.NodeNames, QuantizedTensors.Bytes(initializers));
    }

    private static string? GridRefusal(PrunableWeight weight, QuantizedMatrix quantized)
    {
        var dims = weight.Tensor.Dims;
        if (quantized.Rows != dims[1] || quantized.Cols != dims[0])
        {
            return $"the quantized matrix is [{quantized.Rows}, {quantized.Cols}] but '{weight.Name}' is [K, N] = [{dims[0]}, {dims[1]}]: it needs [N, K] = [{dims[1]}, {dims[0]}]";
        }

        if (quantized.Bits != 8 || quantized.Groups != 1 || quantized.Zeros.Any(z => z != SymmetricZero))
        {
            return $"{Format} takes int8 weights symmetric around 0 with one scale per output column; got {quantized.Bits} bits in {quantized.Groups} group(s) per column";
        }

        return null;
    }
}
