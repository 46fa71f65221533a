namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Whether every row of the last axis, over all batches, is non-negative and sums to 1 within
/// <see cref="TaskDetector.ProbabilitySumTolerance"/>: true only when each batch's rows are, and there was a row.
/// </summary>
internal sealed class ProbabilityRowsAccumulator
{
    private readonly int _width;
    private bool _allRows = true;
    private bool _anyRow;

    public ProbabilityRowsAccumulator(int width)
    {
        _width = width;
    }

    public bool Result => _width >= 2 && _anyRow && _allRows;

    public void Add(ReadOnlySpan<double> values)
    {
        // One row that is not a distribution decides: the rest need not be read.
        if (!_allRows || _width < 2 || values.Length == 0) return;
        _anyRow = true;
        _allRows = values.Length % _width == 0 && AllRowsSumToOne(values, _width);
    }

    private static bool AllRowsSumToOne(ReadOnlySpan<double> values, int width)
    {
        for (var row = 0; row < values.Length; row += width)
        {
            double sum = 0;
            foreach (var v in values.Slice(row, width))
            {
                if (!(v >= 0)) return false;
                sum += v;
            }

            if (Math.Abs(sum - 1) > TaskDetector.ProbabilitySumTolerance) return false;
        }

        return true;
    }
}
