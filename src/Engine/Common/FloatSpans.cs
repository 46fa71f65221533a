using System.Numerics;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Vectorised loops over weights. After pruning, zeros are scattered at random, so a per-element branch
/// mispredicts half the time; comparing whole vectors avoids the branch altogether.
/// </summary>
internal static class FloatSpans
{
    public static long CountZeros(ReadOnlySpan<float> values)
    {
        long zeros = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            // Each lane counts down by one per zero (a true comparison is all ones, i.e. -1); flushing every
            // 2^20 vectors keeps the int lanes far from overflow.
            const int flushEvery = 1 << 20;
            while (i <= values.Length - width)
            {
                var lanes = Vector<int>.Zero;
                var end = Math.Min(values.Length - width, i + (flushEvery * width));
                for (; i <= end; i += width)
                {
                    lanes += Vector.Equals(new Vector<float>(values.Slice(i, width)), Vector<float>.Zero);
                }

                zeros -= Vector.Sum(lanes);
            }
        }

        for (; i < values.Length; i++)
        {
            if (values[i] == 0f) zeros++;
        }

        return zeros;
    }

    public static long CountNonFinite(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (var value in values)
        {
            if (!float.IsFinite(value)) count++;
        }

        return count;
    }

    /// <summary>Sets every w with |w| &lt; <paramref name="magnitude"/> to zero (NaN weights stay).</summary>
    public static void ZeroBelow(Span<float> W, float magnitude)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var threshold = new Vector<float>(magnitude);
            for (; i <= W.Length - width; i += width)
            {
                var slice = W.Slice(i, width);
                var w = new Vector<float>(slice);
                Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(w), threshold), Vector<float>.Zero, w).CopyTo(slice);
            }
        }

        for (; i < W.Length; i++)
        {
            if (MathF.Abs(W[i]) < magnitude) W[i] = 0f;
        }
    }
}
