namespace ModelPrune.Engine.Structured;

/// <summary>
/// Where the units go through a Reshape (or Flatten, Squeeze, Unsqueeze), read from the shapes on both sides: the
/// axis that starts after the same number of elements. The units' axis either keeps its size, splits into
/// [heads, head width], or (the way back) merges from [heads, head width]; anything else mixes the units with
/// other axes and cannot be pruned.
/// </summary>
public static class ReshapeMapping
{
    /// <returns>The axis in <paramref name="to"/>, whether it is per head, and the head width a split or merge fixes; null when the units do not survive.</returns>
    public static (int Axis, bool PerHead, long? Block)? Map(IReadOnlyList<long> from, int axis, bool perHead, IReadOnlyList<long> to)
    {
        var before = Product(from, 0, axis);
        for (var b = 0; b < to.Count; b++)
        {
            if (Product(to, 0, b) != before) continue;
            if (to[b] == from[axis]) return (b, perHead, null);
            if (!perHead && b + 1 < to.Count && to[b] > 1 && to[b + 1] > 1 && to[b] * to[b + 1] == from[axis]) return (b, true, to[b + 1]);
            if (perHead && axis + 1 < from.Count && to[b] == from[axis] * from[axis + 1]) return (b, false, from[axis + 1]);
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
