using ModelPrune.Engine.Quantization;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// One layer's quantization as <see cref="QuantizationStage"/> computes it, before anything is written into the graph.
/// Statistics measured block by block come from parts of the model cut as it was measured, so no layer may be written
/// before the last block is in; what a layer needs for its write and its report is kept here instead of its statistics.
/// </summary>
/// <param name="Quantized">The codes to store; null when the layer stays float.</param>
/// <param name="MatMulFormat">Whether the codes are on the MatMul grid (MatMulNBits or DynamicQuantizeMatMul), else on DequantizeLinear's per channel.</param>
/// <param name="Error">The output error on the fitted samples; null without statistics.</param>
/// <param name="HeldOutError">The output error on the held-out samples; null without them.</param>
/// <param name="FloatReason">Why the layer stays float, when <paramref name="Quantized"/> is null.</param>
internal sealed record ComputedQuantization(
    QuantizedMatrix? Quantized,
    bool MatMulFormat,
    QuantizationGrid? Grid,
    string? Method,
    double? Error,
    double? HeldOutError,
    string? FloatReason = null)
{
    public static ComputedQuantization Float(string reason) => new(null, false, null, null, null, null, reason);
}
