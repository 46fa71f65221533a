namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Mean of [items, sequence, hidden] over the sequence, counting only positions whose mask is non-zero (the
/// sentence-embedding convention); without a mask, or for an item whose mask is all zero, every position counts.
/// </summary>
internal static class MeanPooling
{
    public static double[] Pool(ReadOnlySpan<double> values, int items, int sequence, int hidden, ReadOnlySpan<double> mask = default)
    {
        if (values.Length != items * sequence * hidden)
        {
            throw new ArgumentException($"{values.Length} values are not [{items}, {sequence}, {hidden}].");
        }

        var useMask = !mask.IsEmpty && mask.Length == items * sequence;
        var pooled = new double[items * hidden];
        for (var item = 0; item < items; item++)
        {
            var counted = 0;
            if (useMask)
            {
                for (var t = 0; t < sequence; t++)
                {
                    if (mask[item * sequence + t] != 0) counted++;
                }
            }

            var allPositions = !useMask || counted == 0;
            counted = allPositions ? sequence : counted;
            var target = pooled.AsSpan(item * hidden, hidden);
            for (var t = 0; t < sequence; t++)
            {
                if (!allPositions && mask[item * sequence + t] == 0) continue;
                var row = values.Slice((item * sequence + t) * hidden, hidden);
                for (var h = 0; h < hidden; h++) target[h] += row[h];
            }

            if (counted > 0)
            {
                for (var h = 0; h < hidden; h++) target[h] /= counted;
            }
        }

        return pooled;
    }
}
