namespace ModelPrune.Engine.Evaluation;

/// <summary>One labels array of the evaluation data, [samples, ...], as int64 whatever integer dtype it was saved in.</summary>
internal sealed record LabelArray(string Name, IReadOnlyList<long> Shape, long[] Values)
{
    /// <summary>Labels per sample: the product of the axes after the first.</summary>
    public int PerSample => (int)Shape.Skip(1).Aggregate(1L, (product, d) => product * d);

    /// <summary>The labels of the first <paramref name="samples"/> samples.</summary>
    public LabelArray Take(int samples)
    {
        if (samples >= Shape[0]) return this;
        var shape = Shape.ToArray();
        shape[0] = samples;
        return new LabelArray(Name, shape, Values[..(samples * PerSample)]);
    }
}
