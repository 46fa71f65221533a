namespace ModelPrune.Engine.Structured;

/// <summary>
/// Where the units go through a Reshape (or Flatten, Squeeze, Unsqueeze), read from the shapes on both sides: the
/// axis that starts after the same number of elements. The units' axis either keeps its size, splits into an
/// outer and an inner axis (channels into [heads, head width], heads into [K/V heads, repeats]) and the units
/// follow the outer one, or (the way back) merges with the axis after it; anything else mixes the units with other
/// axes and cannot be pruned. A split or merge leaves each unit a contiguous run on both sides as long as the unit
/// count divides the outer axis, which <see cref="UnitGroup.Units"/> ensures.
/// </summary>
internal static class ReshapeMapping
{
    /// <returns>The units' axis in <paramref name="to"/>, and whether it was split or merged; null when the units do not survive.</returns>
    public static (int Axis, bool Regrouped)? Map(IReadOnlyList<long> from, int axis, IReadOnlyList<long> to)
    {
        var before = Product(from, 0, axis);
        for (var b = 0; b < to.Count; b++)
        {
            if (Product(to, 0, b) != before) continue;
            if (to[b] == from[axis]) return (b, false);
            if (b + 1 < to.Count && to[b] > 1 && to[b + 1] > 1 && to[b] * to[b + 1] == from[axis]) return (b, true);
            if (axis + 1 < from.Count && from[axis + 1] > 1 && to[b] == from[axis] * from[axis + 1]) return (b, true);
        }

        return null;
    }

    private static long Product(IReadOnlyList<long> dims, int start, int end)
    {
        var product = 1L;
        for (var i = start; i < end; i++) product *= dims[i];
        return product;
    }
}
