namespace ModelPrune.Engine.Structured.Scoring;

/// <summary>
/// FLAP (An et al., 2024, "Fluctuation-based Adaptive Structured Pruning for Large Language Models"). A unit whose
/// input to the next layer barely fluctuates over the calibration set can be replaced by its mean:
/// S_u = Σ_{j ∈ u} Var(X_j) · ‖W_{:,j}‖², with X the consumer's input and W_{:,j} the consumer weight's column for
/// input channel j (summed over consumers; over a head's channels for a head). The removed units' mean contribution
/// W_{:,j}·E[X_j] is then folded into the consumer's bias (<see cref="BiasShift"/>), so the output mean is preserved.
/// Scores are standardised per layer before they are ranked across layers (<see cref="UnitAllocation"/>).
/// </summary>
internal static class FlapScores
{
    public static double[] Score(UnitScoreInput group)
    {
        var S = new double[group.Units];
        foreach (var (W, inputAxis, X, units) in group.Consumers)
        {
            var columnNorms = AxisReductions.SumOfSquares(W, inputAxis);
            var fluctuation = new double[columnNorms.Length];
            for (var j = 0; j < fluctuation.Length; j++) fluctuation[j] = X.Variance(j) * columnNorms[j];
            var perUnit = group.PerUnit(fluctuation, units, (a, b) => a + b);
            for (var u = 0; u < S.Length; u++) S[u] += perUnit[u];
        }

        return S;
    }

    /// <summary>
    /// The bias compensation of one consumer: δ_o = Σ_{j removed} E[X_j] · Σ_k W[o, j, k] (k: a Conv's kernel
    /// positions, exact away from zero-padded borders), for a weight whose output axis is <paramref name="outputAxis"/>
    /// and input axis <paramref name="inputAxis"/>.
    /// </summary>
    public static double[] BiasShift(float[] W, IReadOnlyList<long> dims, int outputAxis, int inputAxis, IReadOnlyList<int> removedChannels, ChannelStatistics X)
    {
        var strides = new long[dims.Count];
        var stride = 1L;
        for (var d = dims.Count - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= dims[d];
        }

        var removed = new HashSet<int>(removedChannels);
        var delta = new double[dims[outputAxis]];
        for (long i = 0; i < W.Length; i++)
        {
            var j = (int)(i / strides[inputAxis] % dims[inputAxis]);
            if (!removed.Contains(j)) continue;
            var o = (int)(i / strides[outputAxis] % dims[outputAxis]);
            delta[o] += W[i] * X.Mean(j);
        }

        return delta;
    }
}
