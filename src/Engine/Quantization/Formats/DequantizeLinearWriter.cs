using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// Stores a Gemm, Conv or MatMul weight as int8 (uint8 with zero points when the grid is asymmetric) with one
/// scale per output channel, dequantized by a <c>DequantizeLinear</c> in front of the op: the format for
/// what MatMulNBits cannot take. Only 8 bits and one group per row: int4 and blocked scales need opset 21,
/// and models are not upgraded for it.
/// </summary>
internal static class DequantizeLinearWriter
{
    public const string Format = "DequantizeLinear";

    /// <param name="convColumns">For a Conv whose <paramref name="quantized"/> columns are position-major.</param>
    public static FormatWriteResult Write(ModelProto model, PrunableWeight weight, QuantizedMatrix quantized, ConvColumnOrder? convColumns = null)
    {
        var index = new ModelGraphIndex(model);
        var refusal = Refusal(index, weight, quantized, convColumns);
        var site = index.FindStorage(weight.Tensor.Proto);
        if (refusal is null && site is null)
        {
            refusal = $"the storage of '{weight.Name}' is not in this model";
        }

        if (refusal is not null)
        {
            return FormatWriteResult.Skipped(weight.Name, Format, refusal);
        }

        var layout = WeightMatrixLayout.Of(weight);
        var codes = layout.ToTensorOrder(quantized.Codes, convColumns);
        var (node, bytes) = PerChannelDequantizeLinear.Replace(index, site!, codes, quantized.Scales, quantized.Zeros, layout.OutputAxis);
        return new FormatWriteResult(weight.Name, Format, null, new[] { node }, bytes);
    }

    private static string? Refusal(ModelGraphIndex index, PrunableWeight weight, QuantizedMatrix quantized, ConvColumnOrder? convColumns)
    {
        var rank = weight.Tensor.Dims.Count;
        if (weight.OpType is not ("MatMul" or "Gemm" or "Conv"))
        {
            return $"DequantizeLinear is written for MatMul, Gemm and Conv weights; '{weight.Name}' feeds {weight.OpType}";
        }

        if (weight.OpType != "Conv" && rank != 2)
        {
            return $"a {weight.OpType} weight of rank {rank} has no single output-channel axis";
        }

        if (quantized.Bits != 8)
        {
            return $"DequantizeLinear needs 8-bit codes here (int4 needs opset 21); got {quantized.Bits} bits";
        }

        if (quantized.Groups != 1)
        {
            return $"needs per-channel: opset-13 DequantizeLinear has one scale per output channel, the weight has {quantized.Groups} groups of {quantized.GroupSize} per row";
        }

        var layout = WeightMatrixLayout.Of(weight);
        if (quantized.Rows != layout.Rows || quantized.Cols != layout.Cols)
        {
            return $"the quantized matrix is [{quantized.Rows}, {quantized.Cols}] but '{weight.Name}' is [{layout.Rows}, {layout.Cols}] as rows × inputs";
        }

        if (convColumns is not null && (weight.OpType != "Conv" || convColumns.Columns != layout.Cols))
        {
            return $"a position-major column order applies to a Conv weight of {convColumns.Columns} columns per row";
        }

        return PerChannelDequantizeLinear.Refusal(index, weight.Tensor.Proto);
    }
}
