namespace ModelPrune.Engine.Quantization;

/// <summary>
/// The (scale, zero) parameters and codes of a <see cref="QuantizedMatrix"/> while a quantizer (RTN, GPTQ,
/// SparseGPT with quantization) fills them in, row by row and group by group. Different rows may be written
/// from different threads; one row's entries from one thread at a time.
/// </summary>
internal sealed class QuantizedMatrixBuilder
{
    private readonly float[] scales;
    private readonly float[] zeros;
    private readonly byte[] codes;

    public QuantizedMatrixBuilder(QuantizationGrid grid, int rows, int cols)
    {
        Grid = grid;
        Rows = rows;
        Cols = cols;
        GroupWidth = grid.GroupWidth(cols);
        Groups = (cols + GroupWidth - 1) / GroupWidth;
        scales = new float[rows * Groups];
        zeros = new float[rows * Groups];
        codes = new byte[rows * cols];
    }

    public QuantizationGrid Grid { get; }

    public int Rows { get; }

    public int Cols { get; }

    public int GroupWidth { get; }

    public int Groups { get; }

    /// <summary>(scale, zero) of row <paramref name="row"/>'s group <paramref name="group"/> from that group's weights w.</summary>
    public void FindParams(int row, int group, ReadOnlySpan<float> w)
    {
        var index = (row * Groups) + group;
        (scales[index], zeros[index]) = Grid.FindParams(w);
    }

    /// <summary>Every row's and group's parameters from W [Rows, Cols] as it is now.</summary>
    public void FindParams(float[] W)
    {
        for (var r = 0; r < Rows; r++)
        {
            for (var g = 0; g < Groups; g++)
            {
                var start = g * GroupWidth;
                FindParams(r, g, W.AsSpan((r * Cols) + start, Math.Min(GroupWidth, Cols - start)));
            }
        }
    }

    /// <summary>
    /// Grouped grids: the parameters of every group of row <paramref name="row"/> whose first column lies in columns
    /// i1 .. i1+count, from that group's weights in <paramref name="rowW"/> (the whole row) as they are now, i.e.
    /// after every update from earlier blocks. GPTQ's reference reads them there: within a block it works on a copy,
    /// so every group starting in the block is found before the block's first column is quantized. Per-channel
    /// grids find their parameters once, before the sweep, and are left alone here.
    /// </summary>
    public void FindGroupsStartingIn(int row, int i1, int count, ReadOnlySpan<float> rowW)
    {
        if (Grid.GroupSize == QuantizationGrid.PerChannel) return;
        for (var c = (i1 + GroupWidth - 1) / GroupWidth * GroupWidth; c < i1 + count; c += GroupWidth)
        {
            FindParams(row, c / GroupWidth, rowW.Slice(c, Math.Min(GroupWidth, Cols - c)));
        }
    }

    /// <summary>Stores the code of w at (row, col) and returns its dequantized value scale · (q − zero).</summary>
    public float Quantize(int row, int col, float w)
    {
        var index = (row * Groups) + (col / GroupWidth);
        var q = Grid.Quantize(w, scales[index], zeros[index]);
        codes[(row * Cols) + col] = (byte)q;
        return scales[index] * (q - zeros[index]);
    }

    public QuantizedMatrix Build()
    {
        // find_params makes zero an integer in [0, maxq]; anything else (NaN weights) cannot be stored as a byte.
        var byteZeros = new byte[zeros.Length];
        for (var i = 0; i < zeros.Length; i++)
        {
            if (!(zeros[i] >= 0f && zeros[i] <= Grid.MaxQ && zeros[i] == MathF.Round(zeros[i])))
            {
                throw new InvalidOperationException($"zero point {zeros[i]} of row {i / Groups} is not an integer in [0, {Grid.MaxQ}]; the weights may contain NaN or infinity");
            }

            byteZeros[i] = (byte)zeros[i];
        }

        return new QuantizedMatrix(Rows, Cols, Grid.Bits, GroupWidth, codes, scales, byteZeros);
    }
}
