using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Compares one output of the pruned model with the original's. Everything is summed in double and
/// rounded to 6 significant digits. Where the true value is infinite (the original is all zeros but the
/// pruned output is not, or one side has NaN/Inf where the other has a different value),
/// <see cref="Unbounded"/> stands in, because the report is JSON and JSON has no infinity.
/// </summary>
internal static class DeviationMetrics
{
    /// <summary>Near double.MaxValue, and already at 6 significant digits so rounding keeps it recognisable.</summary>
    public const double Unbounded = 1.79769e308;

    public static OutputDeviation Compare(CapturedOutput original, CapturedOutput pruned)
    {
        var elementType = ElementTypeNames.Of(original.Type);
        if (original.Strings is not null && pruned.Strings is not null)
        {
            return CompareStrings(original, pruned.Strings, elementType);
        }

        var y = original.Values;
        var p = pruned.Values;
        double sumDiff = 0, sumY = 0, sumP = 0, dot = 0, maxAbs = 0;
        var nonFiniteMismatch = false;
        for (var i = 0; i < y.Length; i++)
        {
            double a = y[i], b = p[i];
            if (double.IsFinite(a) && double.IsFinite(b))
            {
                var d = b - a;
                sumDiff += d * d;
                sumY += a * a;
                sumP += b * b;
                dot += a * b;
                maxAbs = Math.Max(maxAbs, Math.Abs(d));
            }
            else if (!a.Equals(b))
            {
                // double.Equals treats NaN as equal to NaN: the same NaN in both is not a deviation.
                nonFiniteMismatch = true;
            }
        }

        double relativeL2, cosine;
        if (nonFiniteMismatch)
        {
            relativeL2 = Unbounded;
            cosine = 0;
            maxAbs = Unbounded;
        }
        else
        {
            var normDiff = Math.Sqrt(sumDiff);
            var normY = Math.Sqrt(sumY);
            var normP = Math.Sqrt(sumP);
            relativeL2 = normDiff == 0 ? 0 : normY == 0 ? Unbounded : normDiff / normY;
            cosine = normY == 0 && normP == 0 ? 1 : normY == 0 || normP == 0 ? 0 : Math.Clamp(dot / (normY * normP), -1.0, 1.0);
        }

        var top1 = ElementTypeNames.IsFloatingPoint(original.Type) ? Top1Agreement(original.Shape, y, p) : null;
        return new OutputDeviation(
            original.Name,
            elementType,
            original.Shape,
            MetricRounding.Round6(relativeL2),
            MetricRounding.Round6(cosine),
            MetricRounding.Round6(maxAbs),
            top1 is { } t ? MetricRounding.Round6(t) : null);
    }

    /// <summary>
    /// [batch, classes] compares each row's argmax. Rank-3 outputs are left out: by shape alone a
    /// transformer's hidden states [batch, sequence, width] look like language-model logits, and argmax
    /// agreement over hidden units means nothing (task-aware metrics are a later step).
    /// </summary>
    private static double? Top1Agreement(long[] shape, double[] y, double[] p)
    {
        long classes = shape.Length switch
        {
            2 => shape[1],
            _ => 0,
        };
        if (classes <= 1 || y.Length == 0)
        {
            return null;
        }

        var width = (int)classes;
        var rows = y.Length / width;
        var agree = 0;
        for (var row = 0; row < rows; row++)
        {
            if (ArgMax(y, row * width, width) == ArgMax(p, row * width, width))
            {
                agree++;
            }
        }

        return (double)agree / rows;
    }

    /// <summary>First index of the maximum, so ties go to the lowest index as in numpy.</summary>
    private static int ArgMax(double[] values, int start, int count)
    {
        var best = 0;
        for (var i = 1; i < count; i++)
        {
            if (values[start + i] > values[start + best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Strings have no distance: the share of differing elements stands in for relative L2.</summary>
    private static OutputDeviation CompareStrings(CapturedOutput original, string[] pruned, string elementType)
    {
        var strings = original.Strings!;
        var differing = 0;
        for (var i = 0; i < strings.Length; i++)
        {
            if (!string.Equals(strings[i], pruned[i], StringComparison.Ordinal))
            {
                differing++;
            }
        }

        var share = strings.Length == 0 ? 0 : (double)differing / strings.Length;
        return new OutputDeviation(
            original.Name,
            elementType,
            original.Shape,
            MetricRounding.Round6(share),
            MetricRounding.Round6(1 - share),
            differing == 0 ? 0 : 1,
            null);
    }
}
