namespace ModelPrune.Engine.Quantization;

/// <summary>What Quantize and its companions asked for, validated. Null on <see cref="Pipeline.PruneSettings"/> when Quantize is none.</summary>
/// <param name="GroupSize">Columns per scale for MatMul weights; <see cref="QuantizationGrid.PerChannel"/> for one per output channel.</param>
/// <param name="Gptq">GPTQ with the calibration inputs, else round to nearest.</param>
/// <param name="DynamicActivations">MatMuls become DynamicQuantizeMatMul (int8 weights per column, activations quantized at run time).</param>
internal sealed record QuantizationSettings(int Bits, int GroupSize, bool Symmetric, bool Gptq, bool Embeddings, bool DynamicActivations = false)
{
    /// <summary>int4's default block: one scale per 32 weights (5 bits per weight with zero points), the better of 32 and 128 on MiniLM's RTN floor.</summary>
    public const int DefaultInt4GroupSize = 32;

    public string Name => Bits == 8 ? "int8" : "int4";

    public string MethodName => Gptq ? "gptq" : "rtn";

    /// <summary>
    /// The grid for a MatMul's constant weight: the requested one, stored as MatMulNBits; with dynamic activations
    /// int8 symmetric per output column, what DynamicQuantizeMatMul multiplies.
    /// </summary>
    public QuantizationGrid MatMulGrid => DynamicActivations ? PerChannelGrid : new(Bits, Symmetric, GroupSize);

    /// <summary>Everything DequantizeLinear stores (Gemm, Conv, ...) is int8 per output channel, at opset 13 the only choice.</summary>
    public QuantizationGrid PerChannelGrid => new(8, Symmetric: true, QuantizationGrid.PerChannel);

    public string ActivationsName => DynamicActivations ? "dynamic" : "none";
}
