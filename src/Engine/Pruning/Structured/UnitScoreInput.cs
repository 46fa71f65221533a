using ModelPrune.Engine.Structured;
using Onnx;

namespace ModelPrune.Engine.Pruning.Structured;

/// <summary>
/// What the structured methods see of one group: its units, the weights that own them (each with the axis the units
/// run along) and, for FLAP, each consumer's weight with the statistics of the input it reads.
/// </summary>
/// <param name="Block">Channels per unit along a channel axis (the head width for heads, else 1).</param>
public sealed record UnitScoreInput(
    int Units,
    int Block,
    IReadOnlyList<(TensorProto W, UnitAxis Axis)> Weights,
    IReadOnlyList<(TensorProto W, int InputAxis, ChannelStatistics X)> Consumers)
{
    /// <summary>Per-index values along a slice's axis folded into one value per unit.</summary>
    public double[] PerUnit(double[] perIndex, UnitAxis axis, Func<double, double, double> combine) =>
        axis.PerHead ? perIndex : AxisReductions.PerUnit(perIndex, Block, combine);
}
