namespace ModelPrune.Engine.Quantization;

/// <summary>What one GPTQ layer solve produced and used.</summary>
/// <param name="Quantized">The codes and (scale, zero) parameters.</param>
/// <param name="Loss">The reference's printed <c>error</c>: Σ (w − q)² / Hinv_ii² / 2 over all rows and columns.</param>
/// <param name="Dampening">The relative dampening actually used (fraction of mean(diag H) added to the diagonal).</param>
/// <param name="DampeningSteps">How many times the dampening was raised (×10) because a Cholesky factorisation failed; 0 normally.</param>
internal sealed record GptqResult(QuantizedMatrix Quantized, double Loss, double Dampening, int DampeningSteps);
