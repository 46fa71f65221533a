namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// What a calibrated method measured for one layer: ||X(W − Ŵ)ᵀ||² / ||XWᵀ||² on the calibration inputs it
/// fitted and on the held-out ones, SparseGPT's dampening, and how many calibration tokens the layer saw.
/// </summary>
/// <param name="Quantized">SparseGPT with quantization: the codes of the one pass that pruned and quantized the layer
/// (the weight now holds their dequantized values, and the errors are those of both against the dense weight).</param>
internal sealed record CalibratedLayerResult(double ReconstructionError, double? HeldOutError, double? Dampening, long Tokens,
    Quantization.QuantizedMatrix? Quantized = null);
