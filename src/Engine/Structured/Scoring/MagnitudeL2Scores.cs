namespace ModelPrune.Engine.Structured.Scoring;

/// <summary>
/// magnitude-l2 (Li et al., 2017, "Pruning Filters for Efficient ConvNets", extended to every weight a unit owns as
/// Torch-Pruning's group importance does): S_u = ‖W_u‖₂ over the producer's output slice, the depthwise filter and
/// the consumer's input slice of unit u together. No data needed; small units go first.
/// </summary>
internal static class MagnitudeL2Scores
{
    public static double[] Score(UnitScoreInput group)
    {
        var S = new double[group.Units];
        foreach (var (W, axis) in group.Weights)
        {
            var perUnit = group.PerUnit(AxisReductions.SumOfSquares(W, axis.Axis), axis, (a, b) => a + b);
            for (var u = 0; u < S.Length; u++) S[u] += perUnit[u];
        }

        for (var u = 0; u < S.Length; u++) S[u] = Math.Sqrt(S[u]);
        return S;
    }
}
