using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelPrune.Engine.Quantization;

namespace ModelPrune.Engine.Pruning.SparseGpt;

/// <summary>
/// SparseGPT (Frantar and Alistarh, 2023), following the reference <c>SparseGPT.fasterprune</c> of
/// IST-DASLab/sparsegpt step by step: H = 2XᵀX, dead inputs, 1 % dampening, Hinv = chol(H⁻¹)ᵀ, then blocks
/// of 128 columns whose mask is chosen (unstructured: once per block; N:M: every M columns), each column
/// pruned with an optimal-brain-surgeon update of the columns after it, and a lazy update of later blocks.
/// W is a linear layer's weight in PyTorch layout [rows = out, cols = in], row-major, pruned in place.
/// With a quantization grid (<see cref="PruneAndQuantize"/>) every kept weight is also quantized in the same pass,
/// as the reference does with a quantizer attached (its opt.py --wbits): the error of both is propagated.
/// </summary>
/// <remarks>
/// The per-column loops are marked AggressiveOptimization: a build prunes each layer once, so they would
/// otherwise run as slow tier-0 code until the background JIT caught up, which on a busy core it may not.
/// </remarks>
internal static class SparseGptPruner
{
    public const int DefaultBlockSize = 128;
    public const double DefaultPercDamp = 0.01;

    /// <summary>How often a failed Cholesky raises the dampening ×10 before giving up.</summary>
    public const int MaxDampeningSteps = 6;

    /// <summary>H += 2XᵀX for calibration inputs X [n, d] (the reference's add_batch with nsamples = 1).</summary>
    public static void AccumulateHessian(float[] H, ReadOnlySpan<float> X, int n, int d, IDenseLinearAlgebra? algebra = null) =>
        (algebra ?? ManagedLinearAlgebra.Shared).AccumulateGram(H, X, n, d, 2f);

    /// <summary>
    /// Prunes W [rows, cols] in place given H [cols, cols] (not modified). n = m = 0 is unstructured pruning at
    /// <paramref name="sparsity"/>; otherwise n of every m consecutive inputs are pruned and sparsity is unused.
    /// </summary>
    public static SparseGptResult Prune(
        float[] W, int rows, int cols, float[] H, double sparsity,
        int n = 0, int m = 0, int blockSize = DefaultBlockSize, double percDamp = DefaultPercDamp,
        IDenseLinearAlgebra? algebra = null) =>
        Run(W, rows, cols, H, sparsity, n, m, blockSize, percDamp, algebra, quantized: null);

    /// <summary>
    /// Joint pruning and quantization (the SparseGPT paper's 50 % + 4-bit): prunes W as <see cref="Prune"/> and
    /// quantizes each kept weight on <paramref name="grid"/> before its error is propagated, leaving W as the
    /// dequantized result. A pruned weight is quantized as 0.0, which the grid holds exactly, so it stays 0.0.
    /// The reference supports one (scale, zero) per row only, found on the original W before anything is pruned;
    /// a grouped grid (what MatMulNBits stores) finds each group's parameters as GPTQ does, on the weights as they
    /// are when the sweep reaches the block holding the group's first column.
    /// </summary>
    public static (SparseGptResult Result, QuantizedMatrix Quantized) PruneAndQuantize(
        float[] W, int rows, int cols, float[] H, double sparsity, QuantizationGrid grid,
        int n = 0, int m = 0, int blockSize = DefaultBlockSize, double percDamp = DefaultPercDamp,
        IDenseLinearAlgebra? algebra = null)
    {
        // Before FindParams reads W; Run checks again, which costs nothing.
        Validate(W, rows, cols, H, sparsity, n, m, blockSize, percDamp);

        var quantized = new QuantizedMatrixBuilder(grid, rows, cols);
        if (grid.GroupSize == QuantizationGrid.PerChannel) quantized.FindParams(W);
        var result = Run(W, rows, cols, H, sparsity, n, m, blockSize, percDamp, algebra, quantized);
        return (result, quantized.Build());
    }

    private static SparseGptResult Run(
        float[] W, int rows, int cols, float[] H, double sparsity, int n, int m, int blockSize, double percDamp,
        IDenseLinearAlgebra? algebra, QuantizedMatrixBuilder? quantized)
    {
        Validate(W, rows, cols, H, sparsity, n, m, blockSize, percDamp);
        var linearAlgebra = algebra ?? ManagedLinearAlgebra.Shared;

        var (Hinv, dampening, steps) = InverseHessianFactor(W, rows, cols, H, percDamp, linearAlgebra);

        var mask = new bool[rows * blockSize];
        var loss = SweepBlocks(W, rows, cols, Hinv, blockSize, linearAlgebra,
            (i1, count, diag) =>
            {
                Array.Clear(mask);
                if (n == 0) SelectBlockMask(W, rows, cols, i1, count, diag, sparsity, mask);
            },
            (r, i1, count, diag, Err) => PruneBlockRow(W, cols, r, i1, count, Hinv, diag, mask, Err, n, m, quantized));

        return new SparseGptResult(dampening, steps, loss);
    }

    /// <summary>
    /// The sweep SparseGPT and GPTQ share: blocks of columns i1 .. i2; for each, <paramref name="beforeBlock"/>
    /// (i1, count, diag = Hinv_ii of the block), then every row's columns by <paramref name="solveRow"/>
    /// (row, i1, count, diag, Err) in parallel, since rows are independent given Hinv, each returning its loss and
    /// leaving its scaled errors in Err [rows, count]; then the lazy update W[:, i2:] −= Err · Hinv[i1:i2, i2:].
    /// Returns the total loss.
    /// </summary>
    internal static double SweepBlocks(
        float[] W, int rows, int cols, float[] Hinv, int blockSize, IDenseLinearAlgebra linearAlgebra,
        Action<int, int, float[]>? beforeBlock, Func<int, int, int, float[], float[], double> solveRow)
    {
        var Err = new float[rows * blockSize];
        var diag = new float[blockSize];
        var rowLoss = new double[rows];
        for (var i1 = 0; i1 < cols; i1 += blockSize)
        {
            var i2 = Math.Min(i1 + blockSize, cols);
            var count = i2 - i1;
            for (var i = 0; i < count; i++) diag[i] = Hinv[((i1 + i) * cols) + i1 + i];

            beforeBlock?.Invoke(i1, count, diag);
            var first = i1;
            Parallel.For(0, rows, r => rowLoss[r] += solveRow(r, first, count, diag, Err));

            linearAlgebra.SubtractProduct(W, i2, cols, Err, 0, count, Hinv, (i1 * cols) + i2, cols, rows, cols - i2, count);
        }

        return rowLoss.Sum();
    }

    /// <summary>
    /// Columns i1 .. i1+count of row r, one at a time: q = w with the mask applied (and quantized if asked),
    /// err = (w − q) / Hinv_ii,
    /// and the optimal-brain-surgeon update W[r, i:] −= err · Hinv[i, i:] of the block's remaining columns.
    /// Returns the row's loss Σ err² / 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double PruneBlockRow(float[] W, int cols, int r, int i1, int count, float[] Hinv, float[] diag, bool[] mask, float[] Err, int n, int m, QuantizedMatrixBuilder? quantized)
    {
        var w = W.AsSpan((r * cols) + i1, count);
        var rowMask = mask.AsSpan(r * count, count);
        var err = Err.AsSpan(r * count, count);
        quantized?.FindGroupsStartingIn(r, i1, count, W.AsSpan(r * cols, cols));
        var loss = 0.0;
        for (var i = 0; i < count; i++)
        {
            // N:M picks each group of m from the weights as they are now, after the updates so far.
            if (n != 0 && i % m == 0) SelectGroup(w.Slice(i, m), diag.AsSpan(i, m), n, rowMask.Slice(i, m));

            var q = rowMask[i] ? 0f : w[i];
            if (quantized is not null) q = quantized.Quantize(r, i1 + i, q);
            var e = (w[i] - q) / diag[i];
            loss += (double)e * e / 2;
            Axpy(w[i..], -e, Hinv.AsSpan(((i1 + i) * cols) + i1 + i, count - i));

            // The update leaves w[i] at q up to rounding; the reference stores q itself.
            w[i] = q;
            err[i] = e;
        }

        return loss;
    }

    /// <summary>
    /// Hinv = upper Cholesky factor of (H + damp·I)⁻¹, formed like the reference (cholesky, cholesky_inverse,
    /// cholesky upper), with damp = percDamp · mean(diag H). Where a factorisation fails, the reference would
    /// stop; here the dampening is raised ×10 and the solve retried. Shared with GPTQ, which prepares H the same way.
    /// </summary>
    internal static (float[] Hinv, double Dampening, int Steps) InverseHessianFactor(float[] W, int rows, int cols, float[] H, double percDamp, IDenseLinearAlgebra linearAlgebra)
    {
        // Dead inputs (never active in the calibration set) carry no information: drop their weights and
        // give H a unit diagonal there so it stays invertible. The caller's H is left as it was.
        H = (float[])H.Clone();
        for (var j = 0; j < cols; j++)
        {
            if (H[(j * cols) + j] != 0f) continue;
            H[(j * cols) + j] = 1f;
            for (var r = 0; r < rows; r++) W[(r * cols) + j] = 0f;
        }

        var meanDiagonal = 0.0;
        for (var j = 0; j < cols; j++) meanDiagonal += H[(j * cols) + j];
        meanDiagonal /= cols;

        var dampening = percDamp;
        for (var step = 0; step <= MaxDampeningSteps; step++)
        {
            var Hinv = (float[])H.Clone();
            var damp = (float)(dampening * meanDiagonal);
            for (var j = 0; j < cols; j++) Hinv[(j * cols) + j] += damp;

            if (linearAlgebra.CholeskyUpper(Hinv, cols))
            {
                linearAlgebra.CholeskyInverse(Hinv, cols);
                if (linearAlgebra.CholeskyUpper(Hinv, cols)) return (Hinv, dampening, step);
            }

            dampening = dampening > 0 ? dampening * 10 : DefaultPercDamp;
        }

        throw new InvalidOperationException(
            $"SparseGPT: H is not positive definite even with dampening {dampening / 10:G3} × mean(diag H) ({MaxDampeningSteps} increases); the calibration statistics may contain NaN or infinity.");
    }

    /// <summary>
    /// Unstructured: one threshold over the whole block (all rows), on the score w² / Hinv_jj², taken as the
    /// sorted score at index int(sparsity · rows · count) with every score &lt;= it pruned. That prunes one
    /// more than the fraction per block, exactly as the reference does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SelectBlockMask(float[] W, int rows, int cols, int i1, int count, float[] diag, double sparsity, bool[] mask)
    {
        var scores = new float[rows * count];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < count; i++)
            {
                var w = W[(r * cols) + i1 + i];
                scores[(r * count) + i] = w * w / (diag[i] * diag[i]);
            }
        }

        // sorted(scores)[k] is the (k+1)-th smallest; scores are non-negative, so magnitude keys order them.
        var (key, _) = MagnitudeSelection.KthSmallestKey(scores, (int)(scores.Length * sparsity) + 1);
        var threshold = BitConverter.UInt32BitsToSingle(key);
        for (var e = 0; e < scores.Length; e++) mask[e] = scores[e] <= threshold;
    }

    /// <summary>N:M: mark the n smallest w² / Hinv_jj² of one row's group of m (ties: lower column first, NaN last: <see cref="RowSelection"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SelectGroup(Span<float> w, ReadOnlySpan<float> diag, int n, Span<bool> mask)
    {
        Span<float> scores = stackalloc float[w.Length];
        for (var t = 0; t < w.Length; t++) scores[t] = w[t] * w[t] / (diag[t] * diag[t]);
        RowSelection.MarkSmallestPerGroup(scores, n, w.Length, mask);
    }

    // y += s · x, a vector at a time
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Axpy(Span<float> y, float s, ReadOnlySpan<float> x)
    {
        var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
        var xv = MemoryMarshal.Cast<float, Vector<float>>(x[..y.Length]);
        var vs = new Vector<float>(s);
        for (var k = 0; k < yv.Length; k++) yv[k] += vs * xv[k];
        for (var j = yv.Length * Vector<float>.Count; j < y.Length; j++) y[j] += s * x[j];
    }

    /// <summary>The checks every layer solve (SparseGPT, GPTQ) makes of its arguments.</summary>
    internal static void ValidateLayer(float[] W, int rows, int cols, float[] H, int blockSize, double percDamp)
    {
        if (rows <= 0 || cols <= 0 || W.Length != rows * cols) throw new ArgumentException($"W has {W.Length} elements, not {rows} × {cols}", nameof(W));
        if (H.Length != cols * cols) throw new ArgumentException($"H has {H.Length} elements, not {cols} × {cols}", nameof(H));
        if (blockSize <= 0) throw new ArgumentOutOfRangeException(nameof(blockSize));
        if (!(percDamp >= 0)) throw new ArgumentOutOfRangeException(nameof(percDamp));
    }

    private static void Validate(float[] W, int rows, int cols, float[] H, double sparsity, int n, int m, int blockSize, double percDamp)
    {
        ValidateLayer(W, rows, cols, H, blockSize, percDamp);
        if (n == 0 && m == 0)
        {
            if (!(sparsity >= 0 && sparsity < 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), "unstructured sparsity must be in [0, 1)");
            return;
        }

        // Groups are counted from each block's start, as in the reference, so blocks must hold whole groups.
        if (n <= 0 || m <= n) throw new ArgumentException($"N:M needs 0 < N < M, got {n}:{m}");
        if (cols % m != 0 || blockSize % m != 0) throw new ArgumentException($"input width {cols} and block size {blockSize} must be multiples of M = {m}");
    }
}
