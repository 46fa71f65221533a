namespace ModelPrune.Engine.Structured.Scoring;

/// <summary>
/// maw, maximum absolute weight: S_u = max |w| over every weight unit u owns (producer output slice, depthwise filter,
/// consumer input slice). A unit with one large weight is kept even if the rest of it is small, which the L2 norm
/// would average away. No data needed.
/// </summary>
internal static class MawScores
{
    public static double[] Score(UnitScoreInput group)
    {
        var S = new double[group.Units];
        foreach (var (W, axis) in group.Weights)
        {
            var perUnit = group.PerUnit(AxisReductions.MaxAbs(W, axis.Axis), axis, Math.Max);
            for (var u = 0; u < S.Length; u++) S[u] = Math.Max(S[u], perUnit[u]);
        }

        return S;
    }
}
