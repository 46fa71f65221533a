namespace ModelPrune.Engine.Statistics;

/// <summary>
/// What Wanda and SparseGPT need to know about one layer's input X, seen as [tokens, features] and
/// summed over every calibration batch in double precision.
/// </summary>
/// <param name="Features">d, the weight's input dimension.</param>
/// <param name="Tokens">The number of rows of X over all batches (per group).</param>
/// <param name="NormsSquared">Σ_t X[t,j]² for each of the d features, group after group.</param>
/// <param name="Gram">XᵀX, d×d row-major, one after another per group, or null when it was not requested.</param>
/// <param name="Groups">Input groups with separate statistics: a grouped Conv's groups, whose weight rows each see only their own group's input.</param>
internal sealed record LayerStatistics(string WeightName, int Features, long Tokens, double[] NormsSquared, double[]? Gram, int Groups = 1);
