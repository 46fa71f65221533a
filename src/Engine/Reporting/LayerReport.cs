namespace ModelPrune.Engine.Reporting;

/// <summary>
/// One prunable weight. Status is <c>pruned</c>, <c>excluded</c> (by IncludeLayers/ExcludeLayers) or <c>skipped</c>
/// (with a reason, e.g. input dimension not a multiple of M, or an element type we do not prune).
/// Calibrated methods add ReconstructionError = ||X(W − Ŵ)ᵀ||² / ||XWᵀ||² on the calibration inputs they
/// fitted, HeldOutError the same on the held-out calibration samples, SparseGPT the Dampening it used, and
/// CalibrationTokens the rows of X the statistics summed (padded positions left out).
/// Structured runs add ShapeAfter, the weight's shape in the pruned model, and Removed, the parameters that went with
/// the removed units; their Sparsity is (Zeros + Removed) / Parameters. Quantized runs add how the weight is stored.
/// </summary>
internal sealed record LayerReport(
    string Name,
    string OpType,
    IReadOnlyList<string> Nodes,
    IReadOnlyList<long> Shape,
    int InputAxis,
    long Parameters,
    long Zeros,
    double Sparsity,
    string Status,
    string? Reason,
    double? ReconstructionError = null,
    double? HeldOutError = null,
    double? Dampening = null,
    long? CalibrationTokens = null,
    IReadOnlyList<long>? ShapeAfter = null,
    long? Removed = null,
    LayerQuantization? Quantization = null);
