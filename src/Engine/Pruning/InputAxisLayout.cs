namespace ModelPrune.Engine.Pruning;

/// <summary>
/// A weight tensor seen along its input (contraction) axis: element (outer, i, inner) lives at
/// <c>(outer * Length + i) * Inner + inner</c>. N:M groups run along i, for each fixed outer and inner.
/// </summary>
internal readonly record struct InputAxisLayout(long Outer, long Length, long Inner)
{
    public static InputAxisLayout From(IReadOnlyList<long> shape, int inputAxis)
    {
        if (inputAxis < 0 || inputAxis >= shape.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(inputAxis), $"axis {inputAxis} outside rank {shape.Count}");
        }

        long outer = 1, inner = 1;
        for (var d = 0; d < inputAxis; d++) outer *= shape[d];
        for (var d = inputAxis + 1; d < shape.Count; d++) inner *= shape[d];
        return new InputAxisLayout(outer, shape[inputAxis], inner);
    }

    public long Index(long outer, long i, long inner) => (outer * Length + i) * Inner + inner;
}
