using System.Numerics;

namespace ModelPrune.Engine.Pruning.Wanda;

/// <summary>
/// Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for Large Language Models"): the score
/// of weight W_ij is S_ij = |W_ij| · ‖X_j‖₂, where X_j is input column j over all calibration tokens, and
/// each output row i is its own comparison group. No weight is updated: pruned weights become +0.0 and the
/// kept ones are left exactly as they were.
/// <list type="bullet">
/// <item>W is [rows = out features, cols = in features], row-major (PyTorch <c>nn.Linear.weight</c>).</item>
/// <item>The statistics are the per-column sums of squares Σ_t X[t,j]² (Wanda's <c>scaler_row</c>); any
/// common scale factor, such as Wanda's 1/nsamples, changes no decision.</item>
/// <item>Unstructured: the <c>(int)(cols · sparsity)</c> smallest scores of every row are pruned, ties to the
/// lower column index (the reference's <c>torch.sort(stable=True)</c>).</item>
/// <item>N:M: in every row and every group of M consecutive input columns the N smallest scores are pruned.
/// The reference's <c>torch.topk(largest=False)</c> leaves ties unspecified; here the lower column index is
/// pruned first, as in the unstructured case.</item>
/// <item>NaN scores rank above +∞ (pruned last), as in torch's sort and topk (<see cref="RowSelection"/>).</item>
/// </list>
/// The score is formed in float32 exactly as the reference forms it, <c>|W| * sqrt(float(scaler_row))</c>:
/// float rounding can make two different exact scores equal, and the reference then decides by index, so a
/// more precise score would disagree with it on such decisions. Given the reference's own float32
/// <c>scaler_row</c>, the masks are therefore bit-identical to it. The float64 sums of
/// <see cref="AccumulateColumnNormsSquared"/> round differently (by about 1e-7 relative after the cast to
/// float); on the MiniLM reference layers, whose closest decisions are 8e-7 apart, no decision moves.
/// Magnitude pruning per output row is the same selection with every norm equal to 1
/// (<see cref="PruneRowsByMagnitude"/>).
/// </summary>
internal static class WandaPruner
{
    /// <summary>Below this many weights a layer is scored on one core: spinning up workers would cost more.</summary>
    private const int ParallelThreshold = 1 << 15;

    /// <summary>Pruned weights per row for an unstructured sparsity, as Wanda computes it: int(cols · sparsity).</summary>
    public static int PrunedPerRow(int cols, double sparsity)
    {
        if (!(sparsity >= 0 && sparsity <= 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "sparsity must lie in [0, 1]");
        return (int)(cols * sparsity);
    }

    /// <summary>
    /// Adds Σ_t X[t,j]² for a batch X [rows = tokens, cols = in features] to <paramref name="normsSquared"/>,
    /// so batches can be streamed through. Sums are kept in float64 (squares of float32 values are exact
    /// there), and each column is summed in token order whatever the number of threads, so the result
    /// does not depend on the machine.
    /// </summary>
    public static unsafe void AccumulateColumnNormsSquared(ReadOnlySpan<float> X, int rows, int cols, Span<double> normsSquared)
    {
        CheckMatrix(X.Length, rows, cols, nameof(X));
        if (normsSquared.Length != cols) throw new ArgumentException($"normsSquared has {normsSquared.Length} entries, X has {cols} columns", nameof(normsSquared));
        if (rows == 0 || cols == 0) return;

        fixed (float* x = X)
        fixed (double* n = normsSquared)
        {
            var xAddress = (nint)x;
            var nAddress = (nint)n;
            // Each worker owns a contiguous range of columns and walks all tokens over it: no two workers
            // write the same cache line, and the summation order per column stays fixed.
            var width = Vector<float>.Count;
            var workers = (long)rows * cols < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount, Math.Max(1, cols / (4 * width)));
            var columnsPerWorker = ((cols + workers - 1) / workers + width - 1) / width * width;
            Parallel.For(0, workers, worker =>
            {
                var first = worker * columnsPerWorker;
                var count = Math.Min(cols, first + columnsPerWorker) - first;
                if (count <= 0) return;
                var sums = new Span<double>((double*)nAddress + first, count);
                var t = 0;
                for (; t + 4 <= rows; t += 4)
                {
                    AddSquares4((float*)xAddress + ((long)t * cols) + first, cols, count, sums);
                }

                for (; t < rows; t++)
                {
                    AddSquares(new ReadOnlySpan<float>((float*)xAddress + ((long)t * cols) + first, count), sums);
                }
            });
        }
    }

    /// <summary>
    /// The Wanda scores S_ij = |W_ij| · sqrt(‖X_j‖²) in float32, as the reference computes them.
    /// </summary>
    public static void Scores(ReadOnlySpan<float> W, int rows, int cols, ReadOnlySpan<double> columnNormsSquared, Span<float> S)
    {
        CheckMatrix(W.Length, rows, cols, nameof(W));
        if (S.Length != W.Length) throw new ArgumentException($"S has {S.Length} entries, W has {W.Length}", nameof(S));
        var norms = ColumnNorms(columnNormsSquared, cols);
        for (var i = 0; i < rows; i++)
        {
            RowScores(W.Slice(i * cols, cols), norms, S.Slice(i * cols, cols));
        }
    }

    /// <summary>
    /// Marks in <paramref name="pruned"/> (true = pruned, [rows, cols] like W) what Wanda prunes; W is not changed.
    /// For an N:M pattern <paramref name="sparsity"/> is ignored.
    /// </summary>
    public static void SelectPruned(ReadOnlySpan<float> W, int rows, int cols, ReadOnlySpan<double> columnNormsSquared,
        SparsityPattern pattern, double sparsity, Span<bool> pruned)
    {
        if (pruned.Length != W.Length) throw new ArgumentException($"pruned has {pruned.Length} entries, W has {W.Length}", nameof(pruned));
        var prunedPerRow = pattern.IsNM ? 0 : PrunedPerRow(cols, sparsity);
        Run(W, rows, cols, ColumnNorms(columnNormsSquared, cols), pattern, prunedPerRow, pruned, zeroW: false);
    }

    /// <summary>Wanda in place: the pruned weights of W become +0.0, the others keep their value.</summary>
    public static void Prune(Span<float> W, int rows, int cols, ReadOnlySpan<double> columnNormsSquared,
        SparsityPattern pattern, double sparsity)
    {
        var prunedPerRow = pattern.IsNM ? 0 : PrunedPerRow(cols, sparsity);
        Run(W, rows, cols, ColumnNorms(columnNormsSquared, cols), pattern, prunedPerRow, default, zeroW: true);
    }

    /// <summary>
    /// Unstructured Wanda in place with an explicit count per row, for callers (layer-wise allocation) that
    /// choose the count themselves and must not lose it to the rounding of cols · sparsity.
    /// </summary>
    public static void Prune(Span<float> W, int rows, int cols, ReadOnlySpan<double> columnNormsSquared, int prunedPerRow)
    {
        if (prunedPerRow < 0 || prunedPerRow > cols) throw new ArgumentOutOfRangeException(nameof(prunedPerRow), prunedPerRow, $"must lie in [0, {cols}]");
        Run(W, rows, cols, ColumnNorms(columnNormsSquared, cols), SparsityPattern.Unstructured, prunedPerRow, default, zeroW: true);
    }

    /// <summary>
    /// Magnitude pruning with each output row as its own group: Wanda with every ‖X_j‖ = 1, so S = |W|.
    /// </summary>
    public static void PruneRowsByMagnitude(Span<float> W, int rows, int cols, SparsityPattern pattern, double sparsity)
    {
        var prunedPerRow = pattern.IsNM ? 0 : PrunedPerRow(cols, sparsity);
        var ones = new float[cols];
        Array.Fill(ones, 1f);
        Run(W, rows, cols, ones, pattern, prunedPerRow, default, zeroW: true);
    }

    /// <summary>sqrt(float(‖X_j‖²)): the reference's float32 <c>torch.sqrt(scaler_row)</c>.</summary>
    private static float[] ColumnNorms(ReadOnlySpan<double> columnNormsSquared, int cols)
    {
        if (columnNormsSquared.Length != cols) throw new ArgumentException($"{columnNormsSquared.Length} column norms for {cols} columns", nameof(columnNormsSquared));
        var norms = new float[cols];
        for (var j = 0; j < cols; j++)
        {
            var squared = columnNormsSquared[j];
            if (!(squared >= 0)) throw new ArgumentException($"column {j} has norm² {squared}; it must be a non-negative number", nameof(columnNormsSquared));
            norms[j] = MathF.Sqrt((float)squared);
        }

        return norms;
    }

    /// <summary>
    /// Scores and selects row by row, the rows split over the cores. With <paramref name="zeroW"/> the pruned
    /// weights are zeroed through the pinned pointer, which only the overloads that received a writable
    /// span ask for; <paramref name="pruned"/> may then be empty, and a per-worker row mask is used instead.
    /// </summary>
    private static unsafe void Run(ReadOnlySpan<float> W, int rows, int cols, float[] norms, SparsityPattern pattern,
        int prunedPerRow, Span<bool> pruned, bool zeroW)
    {
        CheckMatrix(W.Length, rows, cols, nameof(W));
        if (pattern.IsNM && (pattern.N < 0 || pattern.N > pattern.M || cols % pattern.M != 0))
        {
            throw new ArgumentException($"an {pattern} pattern needs 0 <= N <= M and the input width {cols} to be a multiple of {pattern.M}", nameof(pattern));
        }

        if (rows == 0 || cols == 0) return;

        fixed (float* w = W)
        fixed (bool* p = pruned)
        {
            var wAddress = (nint)w;
            var pAddress = (nint)p;
            var workers = (long)rows * cols < ParallelThreshold ? 1 : Math.Min(rows, Environment.ProcessorCount * 4);
            Parallel.For(0, workers, () => (Scores: new float[cols], Keys: new ulong[cols], Mask: new bool[cols]), (worker, _, buffers) =>
            {
                var first = (int)((long)rows * worker / workers);
                var end = (int)((long)rows * (worker + 1) / workers);
                for (var i = first; i < end; i++)
                {
                    var row = new Span<float>((float*)wAddress + ((long)i * cols), cols);
                    var mask = pAddress == 0 ? buffers.Mask.AsSpan() : new Span<bool>((bool*)pAddress + ((long)i * cols), cols);
                    RowScores(row, norms, buffers.Scores);
                    if (pattern.IsNM) RowSelection.MarkSmallestPerGroup(buffers.Scores, pattern.N, pattern.M, mask);
                    else RowSelection.MarkSmallest(buffers.Scores, prunedPerRow, buffers.Keys, mask);

                    if (zeroW)
                    {
                        for (var j = 0; j < cols; j++)
                        {
                            if (mask[j]) row[j] = 0f;
                        }
                    }
                }

                return buffers;
            }, _ => { });
        }
    }

    private static void RowScores(ReadOnlySpan<float> W, ReadOnlySpan<float> norms, Span<float> S)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            for (; j <= W.Length - width; j += width)
            {
                (Vector.Abs(new Vector<float>(W.Slice(j, width))) * new Vector<float>(norms.Slice(j, width))).CopyTo(S.Slice(j, width));
            }
        }

        for (; j < W.Length; j++) S[j] = MathF.Abs(W[j]) * norms[j];
    }

    /// <summary>
    /// Adds the squares of four consecutive tokens (rows <paramref name="stride"/> apart) in one pass, so the
    /// running sums are loaded and stored once per four tokens instead of once per token.
    /// </summary>
    private static unsafe void AddSquares4(float* x, int stride, int count, Span<double> sums)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var half = Vector<double>.Count;
            for (; j <= count - width; j += width)
            {
                Vector.Widen(Vector.Load(x + j), out var a0, out var a1);
                Vector.Widen(Vector.Load(x + stride + j), out var b0, out var b1);
                Vector.Widen(Vector.Load(x + (2 * stride) + j), out var c0, out var c1);
                Vector.Widen(Vector.Load(x + (3 * stride) + j), out var d0, out var d1);
                var low = sums.Slice(j, half);
                var high = sums.Slice(j + half, half);
                (new Vector<double>(low) + (((a0 * a0) + (b0 * b0)) + ((c0 * c0) + (d0 * d0)))).CopyTo(low);
                (new Vector<double>(high) + (((a1 * a1) + (b1 * b1)) + ((c1 * c1) + (d1 * d1)))).CopyTo(high);
            }
        }

        for (; j < count; j++)
        {
            double a = x[j], b = x[stride + j], c = x[(2 * stride) + j], d = x[(3 * stride) + j];
            sums[j] += ((a * a) + (b * b)) + ((c * c) + (d * d));
        }
    }

    private static void AddSquares(ReadOnlySpan<float> x, Span<double> sums)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var half = Vector<double>.Count;
            for (; j <= x.Length - width; j += width)
            {
                Vector.Widen(new Vector<float>(x.Slice(j, width)), out var low, out var high);
                var lowSums = sums.Slice(j, half);
                var highSums = sums.Slice(j + half, half);
                (new Vector<double>(lowSums) + (low * low)).CopyTo(lowSums);
                (new Vector<double>(highSums) + (high * high)).CopyTo(highSums);
            }
        }

        for (; j < x.Length; j++) sums[j] += (double)x[j] * x[j];
    }

    private static void CheckMatrix(int length, int rows, int cols, string name)
    {
        if (rows < 0 || cols < 0 || (long)rows * cols != length)
        {
            throw new ArgumentException($"{name} has {length} entries, not {rows} x {cols}", name);
        }
    }
}
