namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The model-wide side of Quantize: the settings as applied, how many weights are stored in each format (with
/// QuantizeActivations="dynamic", Activations says so and MatMuls count as DynamicQuantizeMatMul), and the
/// embedding tables, and over every weight stored as integers (layers and tables) how many there are and what they
/// cost per weight as stored (codes, scales, zero points). Per-layer detail is on each layer (<see cref="LayerQuantization"/>).
/// </summary>
internal sealed record QuantizationReport(
    string Quantize,
    string Method,
    int Bits,
    int? GroupSize,
    bool Symmetric,
    int MatMulNBitsLayers,
    int DequantizeLinearLayers,
    int FloatLayers,
    IReadOnlyList<EmbeddingQuantization> Embeddings,
    string? Activations,
    int? DynamicQuantizeMatMulLayers,
    long QuantizedWeights,
    double? BitsPerWeight);
