namespace ModelPrune.Engine.Statistics;

/// <summary>
/// What Wanda and SparseGPT need to know about one layer's input X, seen as [tokens, features] and
/// summed over every calibration batch in double precision.
/// </summary>
/// <param name="Features">d, the weight's input dimension.</param>
/// <param name="Tokens">The number of rows of X over all batches.</param>
/// <param name="NormsSquared">Σ_t X[t,j]² for each of the d features.</param>
/// <param name="Gram">XᵀX, d×d row-major, or null when it was not requested.</param>
public sealed record LayerStatistics(string WeightName, int Features, long Tokens, double[] NormsSquared, double[]? Gram);
