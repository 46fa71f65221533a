namespace ModelPrune.Engine.Structured;

/// <summary>
/// The axis along which a group's units lie in one tensor. Each unit owns a run of consecutive indices along it,
/// the same share of the axis in every tensor: dim / units (one channel of an MLP, a head's channels on a Q
/// projection's output, one index on the head axis of [batch, heads, seq, head width]).
/// </summary>
public readonly record struct UnitAxis(int Axis)
{
    public override string ToString() => $"axis {Axis}";
}
