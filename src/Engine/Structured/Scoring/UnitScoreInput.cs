using Onnx;

namespace ModelPrune.Engine.Structured.Scoring;

/// <summary>
/// What the structured methods see of one group: its units, the weights that own them (each with the axis the units
/// run along) and, for FLAP, each consumer's weight with the statistics of the input it reads.
/// </summary>
internal sealed record UnitScoreInput(
    int Units,
    IReadOnlyList<(TensorProto W, UnitAxis Axis)> Weights,
    IReadOnlyList<(TensorProto W, int InputAxis, ChannelStatistics X, UnitAxis Units)> Consumers)
{
    /// <summary>
    /// Per-index values along an axis folded into one value per unit: each unit owns an equal run of the part of the
    /// axis the units fill.
    /// </summary>
    public double[] PerUnit(double[] perIndex, UnitAxis axis, Func<double, double, double> combine) => axis.PerUnit(perIndex, Units, combine);
}
