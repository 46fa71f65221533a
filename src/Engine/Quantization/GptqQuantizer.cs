using System.Runtime.CompilerServices;
using ModelPrune.Engine.Pruning.SparseGpt;

namespace ModelPrune.Engine.Quantization;

/// <summary>
/// GPTQ (Frantar et al. 2022), following the reference <c>GPTQ.fasterquant</c> of IST-DASLab/gptq
/// (actorder=False, static_groups=False) step by step: the same H = 2XᵀX, dead inputs and dampened
/// Hinv = chol(H⁻¹)ᵀ as <see cref="SparseGptPruner"/>, then columns in natural order in blocks of 128, each
/// quantized with an optimal-brain-surgeon update of the block's later columns, and a lazy update of later blocks.
/// W is a linear layer's weight in PyTorch layout [rows = out, cols = in], row-major.
/// </summary>
/// <remarks>
/// An optional mask (true = pruned) holds a pruning fixed: a masked weight becomes exactly 0 (code = zero)
/// instead of its nearest grid point, and its error is propagated like any other. Issue 11 uses this to
/// quantize a Wanda- or magnitude-pruned layer without reviving any pruned weight.
/// </remarks>
internal static class GptqQuantizer
{
    /// <summary>Quantizes W [rows, cols] (not modified) given H [cols, cols] (not modified).</summary>
    public static GptqResult Quantize(
        float[] W, int rows, int cols, float[] H, QuantizationGrid grid, bool[]? mask = null,
        int blockSize = SparseGptPruner.DefaultBlockSize, double percDamp = SparseGptPruner.DefaultPercDamp,
        IDenseLinearAlgebra? algebra = null)
    {
        SparseGptPruner.ValidateLayer(W, rows, cols, H, blockSize, percDamp);
        if (mask is not null && mask.Length != W.Length) throw new ArgumentException($"mask has {mask.Length} entries, not {rows} × {cols}", nameof(mask));
        var linearAlgebra = algebra ?? ManagedLinearAlgebra.Shared;
        W = (float[])W.Clone();

        // Per channel, the reference calls find_params once, on W before its dead inputs are zeroed.
        var Q = new QuantizedMatrixBuilder(grid, rows, cols);
        if (grid.GroupSize == QuantizationGrid.PerChannel) Q.FindParams(W);

        var (Hinv, dampening, steps) = SparseGptPruner.InverseHessianFactor(W, rows, cols, H, percDamp, linearAlgebra);

        var loss = SparseGptPruner.SweepBlocks(W, rows, cols, Hinv, blockSize, linearAlgebra, beforeBlock: null,
            (r, i1, count, diag, Err) => QuantizeBlockRow(W, cols, r, i1, count, Hinv, diag, mask, Err, Q));

        return new GptqResult(Q.Build(), loss, dampening, steps);
    }

    /// <summary>
    /// Columns i1 .. i1+count of row r, one at a time: q = quant(w) (or 0 where masked), err = (w − q) / Hinv_ii,
    /// and W[r, i:] −= err · Hinv[i, i:] over the block's remaining columns. Returns the row's loss Σ err² / 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double QuantizeBlockRow(float[] W, int cols, int r, int i1, int count, float[] Hinv, float[] diag, bool[]? mask, float[] Err, QuantizedMatrixBuilder Q)
    {
        Q.FindGroupsStartingIn(r, i1, count, W.AsSpan(r * cols, cols));

        var w = W.AsSpan((r * cols) + i1, count);
        var err = Err.AsSpan(r * count, count);
        var loss = 0.0;
        for (var i = 0; i < count; i++)
        {
            var col = i1 + i;

            // A pruned weight is quantized as 0.0, which the grid holds exactly (code = zero).
            var q = Q.Quantize(r, col, mask is not null && mask[(r * cols) + col] ? 0f : w[i]);
            var e = (w[i] - q) / diag[i];
            loss += (double)e * e / 2;
            SparseGptPruner.Axpy(w[i..], -e, Hinv.AsSpan((col * cols) + col, count - i));

            // The update leaves w[i] at q up to rounding; keep q itself so W ends as the dequantized weight.
            w[i] = q;
            err[i] = e;
        }

        return loss;
    }
}
