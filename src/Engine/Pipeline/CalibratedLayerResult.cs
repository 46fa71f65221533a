namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// What a calibrated method measured for one layer: ||X(W − Ŵ)ᵀ||² / ||XWᵀ||² on the calibration inputs it
/// fitted and on the held-out ones, SparseGPT's dampening, and how many calibration tokens the layer saw.
/// </summary>
internal sealed record CalibratedLayerResult(double ReconstructionError, double? HeldOutError, double? Dampening, long Tokens);
