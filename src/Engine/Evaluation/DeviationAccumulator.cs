using Microsoft.ML.OnnxRuntime.Tensors;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The generic deviation of one output (see <see cref="DeviationMetrics"/>), summed batch by batch: each sum is
/// one variable that every element adds to in order, row after row and batch after batch, so the result is the
/// same to the bit as summing the batches joined.
/// </summary>
internal sealed class DeviationAccumulator
{
    private readonly string _name;
    private readonly TensorElementType _type;
    private readonly long[] _shape;

    /// <summary>Classes of a [batch, classes] floating-point output, whose rows' argmax is compared; 0 when not compared.</summary>
    private readonly int _top1Classes;

    private double _sumDiff, _sumY, _sumP, _dot, _maxAbs;
    private bool _nonFiniteMismatch;
    private long _elements;
    private long _top1Rows, _top1Agree;
    private bool _strings;
    private long _stringsDiffering;

    /// <param name="shape">The output's shape over all batches, as the report shows it.</param>
    public DeviationAccumulator(string name, TensorElementType type, long[] shape)
    {
        _name = name;
        _type = type;
        _shape = shape;
        // Rank-3 outputs are left out: by shape alone a transformer's hidden states [batch, sequence, width] look like
        // language-model logits, and argmax agreement over hidden units means nothing (the task metrics judge those).
        _top1Classes = ElementTypeNames.IsFloatingPoint(type) && shape.Length == 2 && shape[1] is > 1 and <= int.MaxValue ? (int)shape[1] : 0;
    }

    /// <summary>Adds one batch of both models' values (or strings) of this output.</summary>
    public void Add(CapturedOutput original, CapturedOutput pruned)
    {
        if (original.Strings is { } before && pruned.Strings is { } after)
        {
            AddStrings(before, after);
            return;
        }

        var y = original.Values;
        var p = pruned.Values;
        for (var i = 0; i < y.Length; i++)
        {
            double a = y[i], b = p[i];
            if (double.IsFinite(a) && double.IsFinite(b))
            {
                var d = b - a;
                _sumDiff += d * d;
                _sumY += a * a;
                _sumP += b * b;
                _dot += a * b;
                _maxAbs = Math.Max(_maxAbs, Math.Abs(d));
            }
            else if (!a.Equals(b))
            {
                // double.Equals treats NaN as equal to NaN: the same NaN in both is not a deviation.
                _nonFiniteMismatch = true;
            }
        }

        _elements += y.Length;
        if (_top1Classes > 0)
        {
            var width = _top1Classes;
            for (var row = 0; row < y.Length / width; row++)
            {
                var rowOriginal = y.AsSpan(row * width, width);
                var rowPruned = p.AsSpan(row * width, width);
                if (ClassificationMetrics.ArgMax(rowOriginal) == ClassificationMetrics.ArgMax(rowPruned)) _top1Agree++;
                _top1Rows++;
            }
        }
    }

    public OutputDeviation Result()
    {
        var elementType = ElementTypeNames.Of(_type);
        if (_strings)
        {
            // Strings have no distance: the share of differing elements stands in for relative L2.
            var share = _elements == 0 ? 0 : (double)_stringsDiffering / _elements;
            return new OutputDeviation(_name, elementType, _shape, MetricRounding.Round6(share), MetricRounding.Round6(1 - share), _stringsDiffering == 0 ? 0 : 1, null);
        }

        double relativeL2, cosine, maxAbs = _maxAbs;
        if (_nonFiniteMismatch)
        {
            relativeL2 = DeviationMetrics.Unbounded;
            cosine = 0;
            maxAbs = DeviationMetrics.Unbounded;
        }
        else
        {
            var normDiff = Math.Sqrt(_sumDiff);
            var normY = Math.Sqrt(_sumY);
            var normP = Math.Sqrt(_sumP);
            relativeL2 = normDiff == 0 ? 0 : normY == 0 ? DeviationMetrics.Unbounded : normDiff / normY;
            cosine = normY == 0 && normP == 0 ? 1 : normY == 0 || normP == 0 ? 0 : Math.Clamp(_dot / (normY * normP), -1.0, 1.0);
        }

        double? top1 = _top1Classes > 0 && _elements > 0 ? (double)_top1Agree / _top1Rows : null;
        return new OutputDeviation(
            _name,
            elementType,
            _shape,
            MetricRounding.Round6(relativeL2),
            MetricRounding.Round6(cosine),
            MetricRounding.Round6(maxAbs),
            top1 is { } t ? MetricRounding.Round6(t) : null);
    }

    private void AddStrings(string[] original, string[] pruned)
    {
        _strings = true;
        for (var i = 0; i < original.Length; i++)
        {
            if (!string.Equals(original[i], pruned[i], StringComparison.Ordinal)) _stringsDiffering++;
        }

        _elements += original.Length;
    }
}
