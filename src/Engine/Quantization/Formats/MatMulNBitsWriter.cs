using System.Numerics;
using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// Turns each MatMul that multiplies by a constant weight W [K, N] into one <c>com.microsoft.MatMulNBits</c>
/// node (4 or 8 bits, blocks along K), the format ONNX Runtime runs on CPU and CUDA without a float copy of W.
/// Packing (measured against numpy, ../shared/DESIGN.md): row n of B is column n of W, i.e. row n of the
/// <see cref="QuantizedMatrix"/>; scales [N, blocks]; zero points packed like B, and left out for a symmetric
/// grid since the kernel's default zero is 2^(bits−1).
/// </summary>
internal static class MatMulNBitsWriter
{
    public const string Format = "MatMulNBits";
    public const string Domain = ConstantWeightMatMuls.MicrosoftDomain;

    private const int MinBlock = 16;
    private const int MaxBlock = 256;

    // One scale per 128 inputs costs 0.25 bit per weight, and 128 is a block size every kernel has.
    private const int PerChannelBlock = 128;

    /// <summary>
    /// The block size a matrix is written with, or null when its groups fit none. A block must be a power of
    /// two from 16 to 256 that divides the group size (a group then spans whole blocks, which repeat its scale
    /// and zero); one group per row takes any block, the last one padded.
    /// </summary>
    public static int? BlockSizeFor(QuantizedMatrix quantized)
    {
        if (quantized.Groups == 1)
        {
            return Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)quantized.Cols), MinBlock, PerChannelBlock);
        }

        for (var block = MaxBlock; block >= MinBlock; block /= 2)
        {
            if (quantized.GroupSize % block == 0)
            {
                return block;
            }
        }

        return null;
    }

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
        var block = BlockSizeFor(quantized)!.Value;
        var blocks = (K + block - 1) / block;
        int GroupOf(int n, int b) => (n * quantized.Groups) + Math.Min(b * block / quantized.GroupSize, quantized.Groups - 1);

        // Padding past K repeats the block's zero point: it dequantizes to 0 should a kernel ever read it.
        var packed = QuantizedTensors.PackRows(N, blocks * block, quantized.Bits, (n, k) =>
            k < K ? quantized.Codes[(n * K) + k] : quantized.Zeros[GroupOf(n, k / block)]);
        var scales = new float[N * blocks];
        for (var n = 0; n < N; n++)
        {
            for (var b = 0; b < blocks; b++)
            {
                scales[(n * blocks) + b] = quantized.Scales[GroupOf(n, b)];
            }
        }

        var bName = index.UniqueName($"{site!.Name}_q{quantized.Bits}");
        var scalesName = index.UniqueName($"{site.Name}_scales");
        var initializers = new List<TensorProto>
        {
            QuantizedTensors.UInt8(bName, new long[] { N, blocks, block * quantized.Bits / 8 }, packed),
            QuantizedTensors.Float(scalesName, new long[] { N, blocks }, scales),
        };
        string? zerosName = null;
        var defaultZero = (byte)(1 << (quantized.Bits - 1));
        if (quantized.Zeros.Any(z => z != defaultZero))
        {
            zerosName = index.UniqueName($"{site.Name}_zero_points");
            var zeros = QuantizedTensors.PackRows(N, blocks, quantized.Bits, (n, b) => quantized.Zeros[GroupOf(n, b)]);
            initializers.Add(QuantizedTensors.UInt8(zerosName, new long[] { N, zeros.Length / N }, zeros));
        }

        ConstantWeightMatMuls.ReplaceConsumers(model, index, site, initializers, consumers, node =>
        {
            var replacement = new NodeProto { OpType = "MatMulNBits", Domain = Domain, Name = node.Name, DocString = node.DocString };
            replacement.Input.Add(node.Input[0]);
            replacement.Input.Add(bName);
            replacement.Input.Add(scalesName);
            if (zerosName is not null)
            {
                replacement.Input.Add(zerosName);
            }

            replacement.Output.Add(node.Output);
            replacement.Attribute.Add(IntAttribute("K", K));
            replacement.Attribute.Add(IntAttribute("N", N));
            replacement.Attribute.Add(IntAttribute("bits", quantized.Bits));
            replacement.Attribute.Add(IntAttribute("block_size", block));
            return replacement;
        });
        return new FormatWriteResult(weight.Name, Format, null, weight.NodeNames, QuantizedTensors.Bytes(initializers));
    }

    private static string? GridRefusal(PrunableWeight weight, QuantizedMatrix quantized)
    {
        var dims = weight.Tensor.Dims;
        if (quantized.Bits is not (4 or 8))
        {
            return $"MatMulNBits is written with 4 or 8 bits; got {quantized.Bits}";
        }

        if (quantized.Rows != dims[1] || quantized.Cols != dims[0])
        {
            return $"the quantized matrix is [{quantized.Rows}, {quantized.Cols}] but '{weight.Name}' is [K, N] = [{dims[0]}, {dims[1]}]: it needs [N, K] = [{dims[1]}, {dims[0]}]";
        }

        if (BlockSizeFor(quantized) is null)
        {
            return $"not MatMulNBits-compatible: group size {quantized.GroupSize} is not a multiple of a block size (a power of two from {MinBlock} to {MaxBlock})";
        }

        return null;
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
