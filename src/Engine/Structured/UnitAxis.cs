namespace ModelPrune.Engine.Structured;

/// <summary>
/// The axis along which a group's units lie in one tensor. Each unit owns a run of consecutive indices along it,
/// the same share of the axis in every tensor: dim / units (one channel of an MLP, a head's channels on a Q
/// projection's output, one index on the head axis of [batch, heads, seq, head width]). After a Concat along the
/// units' axis the units fill only a segment of it, [<paramref name="Offset"/>, Offset + <paramref name="Length"/>);
/// Length 0 means the whole axis. A fused projection that a Split cuts into Q, K and V holds the units
/// <paramref name="Repeats"/> times over: the segment is that many equal parts, and each unit owns a run in each.
/// </summary>
internal readonly record struct UnitAxis(int Axis, long Offset = 0, long Length = 0, int Repeats = 1)
{
    public bool IsSegment => Length > 0;

    /// <summary>How many indices of an axis of <paramref name="dim"/> entries the units fill.</summary>
    public long LengthIn(long dim) => Length > 0 ? Length : dim;

    /// <summary>The indices of one repeat: what the unit count must divide.</summary>
    public long RepeatLength(long dim) => LengthIn(dim) / Repeats;

    /// <summary>The indices along the axis that <paramref name="units"/> own, of <paramref name="unitCount"/> units in all.</summary>
    public int[] Indices(IEnumerable<int> units, long unitCount, long dim)
    {
        var repeat = (int)RepeatLength(dim);
        var width = (int)(repeat / unitCount);
        var offset = (int)Offset;
        var owned = units.ToArray();
        return Enumerable.Range(0, Repeats)
            .SelectMany(r => owned.SelectMany(u => Enumerable.Range(offset + (r * repeat) + (u * width), width)))
            .Order()
            .ToArray();
    }

    /// <summary>Per-index values along the axis folded into one value per unit, over every run the unit owns.</summary>
    public double[] PerUnit(double[] perIndex, long unitCount, Func<double, double, double> combine)
    {
        var segment = IsSegment ? perIndex.AsSpan((int)Offset, (int)Length).ToArray() : perIndex;
        var repeat = segment.Length / Repeats;
        var result = AxisReductions.PerUnit(segment[..repeat], (int)(repeat / unitCount), combine);
        for (var r = 1; r < Repeats; r++)
        {
            var part = AxisReductions.PerUnit(segment[(r * repeat)..((r + 1) * repeat)], (int)(repeat / unitCount), combine);
            for (var u = 0; u < result.Length; u++) result[u] = combine(result[u], part[u]);
        }

        return result;
    }

    public override string ToString() =>
        (IsSegment ? $"axis {Axis} [{Offset}, {Offset + Length})" : $"axis {Axis}") + (Repeats > 1 ? $" ×{Repeats}" : string.Empty);
}
