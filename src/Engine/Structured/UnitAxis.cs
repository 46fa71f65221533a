namespace ModelPrune.Engine.Structured;

/// <summary>
/// The axis along which a group's units lie in one tensor. Each unit owns a run of consecutive indices along it,
/// the same share of the axis in every tensor: dim / units (one channel of an MLP, a head's channels on a Q
/// projection's output, one index on the head axis of [batch, heads, seq, head width]). After a Concat along the
/// units' axis the units fill only a segment of it, [<paramref name="Offset"/>, Offset + <paramref name="Length"/>);
/// Length 0 means the whole axis.
/// </summary>
public readonly record struct UnitAxis(int Axis, long Offset = 0, long Length = 0)
{
    public bool IsSegment => Length > 0;

    /// <summary>How many indices of an axis of <paramref name="dim"/> entries the units fill.</summary>
    public long LengthIn(long dim) => Length > 0 ? Length : dim;

    /// <summary>The indices along the axis that <paramref name="units"/> own, of <paramref name="unitCount"/> units in all.</summary>
    public int[] Indices(IEnumerable<int> units, long unitCount, long dim)
    {
        var width = (int)(LengthIn(dim) / unitCount);
        var offset = (int)Offset;
        return units.SelectMany(u => Enumerable.Range(offset + (u * width), width)).ToArray();
    }

    /// <summary>The part of per-index values along the axis that the units fill.</summary>
    public double[] Segment(double[] perIndex) => IsSegment ? perIndex.AsSpan((int)Offset, (int)Length).ToArray() : perIndex;

    public override string ToString() => IsSegment ? $"axis {Axis} [{Offset}, {Offset + Length})" : $"axis {Axis}";
}
