namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Reorders the columns of a Conv weight row from its stored channel-major order (c · positions + k) to
/// position-major order (k · channels + c), so that consecutive columns are consecutive input channels at one
/// kernel position: the axis N:M groups run along. Rows, vectors and square matrices over the columns map alike.
/// </summary>
internal sealed class ConvColumnOrder
{
    private readonly int[] _storedColumnOf;

    public ConvColumnOrder(int channels, int positions)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be positive");
        if (positions <= 0) throw new ArgumentOutOfRangeException(nameof(positions), positions, "must be positive");
        _storedColumnOf = new int[checked(channels * positions)];
        for (var k = 0; k < positions; k++)
        {
            for (var c = 0; c < channels; c++) _storedColumnOf[(k * channels) + c] = (c * positions) + k;
        }
    }

    public int Columns => _storedColumnOf.Length;

    /// <summary>W [rows, columns] in stored order → position-major order.</summary>
    public float[] Rows(ReadOnlySpan<float> W, int rows)
    {
        Check(W.Length, rows);
        var result = new float[W.Length];
        for (var r = 0; r < rows; r++)
        {
            var offset = r * Columns;
            for (var j = 0; j < Columns; j++) result[offset + j] = W[offset + _storedColumnOf[j]];
        }

        return result;
    }

    /// <summary>The inverse of <see cref="Rows"/>.</summary>
    public float[] RestoreRows(ReadOnlySpan<float> W, int rows)
    {
        Check(W.Length, rows);
        var result = new float[W.Length];
        for (var r = 0; r < rows; r++)
        {
            var offset = r * Columns;
            for (var j = 0; j < Columns; j++) result[offset + _storedColumnOf[j]] = W[offset + j];
        }

        return result;
    }

    /// <summary>A per-column vector (Σx²) in position-major order.</summary>
    public double[] Vector(ReadOnlySpan<double> values)
    {
        Check(values.Length, 1);
        var result = new double[values.Length];
        for (var j = 0; j < Columns; j++) result[j] = values[_storedColumnOf[j]];
        return result;
    }

    /// <summary>A [columns, columns] matrix (H) with both axes in position-major order.</summary>
    public float[] Square(ReadOnlySpan<float> H)
    {
        Check(H.Length, Columns);
        var result = new float[H.Length];
        for (var a = 0; a < Columns; a++)
        {
            var source = _storedColumnOf[a] * Columns;
            for (var b = 0; b < Columns; b++) result[(a * Columns) + b] = H[source + _storedColumnOf[b]];
        }

        return result;
    }

    private void Check(int length, int rows)
    {
        if (length != (long)rows * Columns) throw new ArgumentException($"expected {rows} × {Columns} values, got {length}");
    }
}
