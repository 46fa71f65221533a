namespace ModelPrune.Engine.Quantization;

/// <summary>What Quantize and its companions asked for, validated. Null on <see cref="Pipeline.PruneSettings"/> when Quantize is none.</summary>
/// <param name="GroupSize">Columns per scale for MatMul weights; <see cref="QuantizationGrid.PerChannel"/> for one per output channel.</param>
/// <param name="Gptq">GPTQ with the calibration inputs, else round to nearest.</param>
/// <param name="DynamicActivations">MatMuls become DynamicQuantizeMatMul (int8 weights per column, activations quantized at run time).</param>
/// <param name="Mixed">Quantize="auto": the per-layer precision the search chooses; the other fields are then its int4 level.</param>
internal sealed record QuantizationSettings(int Bits, int GroupSize, bool Symmetric, bool Gptq, bool Embeddings, bool DynamicActivations = false,
    MixedPrecision? Mixed = null)
{
    /// <summary>int4's default block: one scale per 32 weights (5 bits per weight with zero points), the better of 32 and 128 on MiniLM's RTN floor.</summary>
    public const int DefaultInt4GroupSize = 32;

    public string Name => Mixed is not null ? "auto" : Bits == 8 ? "int8" : "int4";

    /// <summary>
    /// How one layer is quantized: these settings, or with Quantize="auto" the level the search chose for it (int8 per
    /// output channel, or null: the layer stays float).
    /// </summary>
    public QuantizationSettings? ForLayer(string layer)
    {
        if (Mixed is null) return this;
        var bits = Mixed.LayerBits is { } chosen && chosen.TryGetValue(layer, out var b) ? b : Bits;
        return bits switch
        {
            0 => null,
            8 when Bits != 8 => this with { Bits = 8, GroupSize = QuantizationGrid.PerChannel, Symmetric = Mixed.Int8Symmetric, Mixed = null },
            _ => this with { Mixed = null },
        };
    }

    /// <summary>Quantize="auto" with the search's choice: <paramref name="layerBits"/> per layer (4, 8, or 0 for float).</summary>
    public QuantizationSettings WithLayerBits(IReadOnlyDictionary<string, int> layerBits) =>
        this with { Mixed = (Mixed ?? throw new InvalidOperationException("not Quantize=\"auto\"")) with { LayerBits = layerBits } };

    /// <summary>The symmetry as the cache key holds it: with Quantize="auto" that of both levels (int4/int8).</summary>
    public string SymmetricText => Mixed is null ? Symmetric.ToString() : $"{Symmetric}/{Mixed.Int8Symmetric}";

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
