namespace ModelPrune.Engine.Evaluation;

/// <summary>The shape of one output over all batches, as if they were joined along the first axis.</summary>
internal static class BatchShapes
{
    /// <summary>The first axis sums the batches' (a scalar output becomes one value per batch); one batch keeps its shape.</summary>
    public static long[] Joined(IReadOnlyList<long[]> batchShapes)
    {
        var first = batchShapes[0];
        if (batchShapes.Count == 1) return first;
        return first.Length == 0
            ? new long[] { batchShapes.Count }
            : new[] { batchShapes.Sum(s => s[0]) }.Concat(first.Skip(1)).ToArray();
    }
}
