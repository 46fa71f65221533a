namespace ModelPrune.Engine.Structured.Scoring;

/// <summary>
/// Σx and Σx² of each channel of one layer input over every calibration position (tokens, or batch × pixels), in
/// double precision: FLAP's fluctuation is the channel's variance, its bias compensation the channel's mean.
/// </summary>
internal sealed record ChannelStatistics(double[] Sum, double[] SumOfSquares, long Count)
{
    public double Mean(int channel) => Count == 0 ? 0 : Sum[channel] / Count;

    /// <summary>The sample variance (n − 1 in the denominator), never negative.</summary>
    public double Variance(int channel) =>
        Count < 2 ? 0 : Math.Max(0, (SumOfSquares[channel] - (Sum[channel] * Sum[channel] / Count)) / (Count - 1));
}
