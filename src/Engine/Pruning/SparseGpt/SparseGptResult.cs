namespace ModelPrune.Engine.Pruning.SparseGpt;

/// <summary>What one SparseGPT layer solve used and cost.</summary>
/// <param name="Dampening">The relative dampening actually used (fraction of mean(diag H) added to the diagonal).</param>
/// <param name="DampeningSteps">How many times the dampening was raised (×10) because a Cholesky factorisation failed; 0 normally.</param>
/// <param name="Loss">The reference's accumulated loss Σ (w − q)² / Hinv_jj² / 2 over all rows and columns.</param>
internal sealed record SparseGptResult(double Dampening, int DampeningSteps, double Loss);
