using ModelPrune.Engine.Pruning.SparseGpt;

namespace ModelPrune.Engine.Statistics;

/// <summary>How far a changed weight (pruned, quantized) moves the layer's output on the inputs whose Gram matrix is given.</summary>
internal static class LayerOutputError
{
    /// <summary>
    /// tr(ΔW G ΔWᵀ) / tr(W G Wᵀ) with G = XᵀX: the layer's output error over the calibration tokens, from
    /// two matrix products on the SparseGPT kernels (a plain double loop took seconds on MiniLM). A grouped
    /// Conv sums both traces over its groups, each group's rows with its own G.
    /// </summary>
    public static double Relative(float[] W, float[] pruned, int rowsPerGroup, int cols, int groups, double[] gram)
    {
        double error = 0, total = 0;
        var G = new float[cols * cols];
        var block = rowsPerGroup * cols;
        var Wg = new float[block];
        var delta = new float[block];
        for (var g = 0; g < groups; g++)
        {
            for (var i = 0; i < G.Length; i++) G[i] = (float)gram[(g * G.Length) + i];
            for (var i = 0; i < block; i++)
            {
                Wg[i] = W[(g * block) + i];
                delta[i] = Wg[i] - pruned[(g * block) + i];
            }

            error += QuadraticForm(delta, G, rowsPerGroup, cols);
            total += QuadraticForm(Wg, G, rowsPerGroup, cols);
        }

        return total == 0 ? 0 : error / total;
    }

    /// <summary>Σ_r a_r G a_rᵀ over the rows of A [rows, cols].</summary>
    private static double QuadraticForm(float[] A, float[] G, int rows, int cols)
    {
        var negativeAG = new float[A.Length];
        ManagedLinearAlgebra.Shared.SubtractProduct(negativeAG, 0, cols, A, 0, cols, G, 0, cols, rows, cols, cols);
        double sum = 0;
        for (var i = 0; i < A.Length; i++) sum -= (double)negativeAG[i] * A[i];
        return sum;
    }
}
