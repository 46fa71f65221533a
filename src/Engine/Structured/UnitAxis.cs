namespace ModelPrune.Engine.Structured;

/// <summary>
/// Where a group's units lie in one tensor. <paramref name="PerHead"/> false: along <paramref name="Axis"/> each unit
/// owns <see cref="UnitGroup.Block"/> consecutive channels (one for a neuron or filter, the head width for a head);
/// true: each index along the axis is one unit (the head axis of [batch, heads, seq, head width]).
/// </summary>
public readonly record struct UnitAxis(int Axis, bool PerHead)
{
    public override string ToString() => PerHead ? $"head axis {Axis}" : $"channel axis {Axis}";
}
