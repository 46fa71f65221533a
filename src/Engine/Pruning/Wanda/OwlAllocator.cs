namespace ModelPrune.Engine.Pruning.Wanda;

/// <summary>
/// Outlier-Weighted Layerwise sparsity (OWL; Yin et al. 2023, "Outlier Weighed Layerwise Sparsity: A Missing
/// Secret Sauce for Pruning LLMs to High Sparsity"): a layer with more outlier scores keeps more weights.
/// <list type="number">
/// <item>Outlier ratio of layer l: D_l = |{ S_ij : S_ij > M · mean(S) }| / |S|, with S the layer's Wanda scores
/// |W_ij| · ‖X_j‖ (the reference's <c>check_outlier_mean</c>, there in percent; only ratios of
/// differences of D matter below).</item>
/// <item>Normalised to [−1, 1]: u_l = 2 (D_l − min D) / (max D − min D) − 1.</item>
/// <item>s_l = clamp(target − λ · u_l + c, max(0, target − λ), min(1, target + λ)), where the shift c is
/// the one value for which the parameter-weighted mean Σ_l n_l s_l / Σ_l n_l equals the target.</item>
/// </list>
/// The reference (luuyin/OWL, <c>lib/prune_all.py</c>, <c>prune_wanda_outlier</c>) sets the kept fraction
/// to <c>2λ (D − min D)/(max D − min D) − mean(·) + (1 − target)</c>, which is s_l = target − λ u_l + λ mean(u):
/// the same linear map with c = λ mean(u), a shift that makes the unweighted mean equal the target. On LLMs,
/// where that code runs, every block has the same size, and then the two agree whenever no clamp is active.
/// Here layers differ in size, so the shift is solved for the weighted mean (the achieved total sparsity),
/// and the clamp keeps the paper's promise that every layer stays within ±λ of the target, which the
/// reference's shift alone does not. f(c) = weighted mean is continuous and non-decreasing, equal to
/// max(0, target − λ) for c ≤ −2λ and min(1, target + λ) for c ≥ 2λ, so bisection finds c.
/// When all D are equal (or λ = 0) every layer gets the target, where the reference would divide by zero.
/// Pruning rounds each layer to whole weights per row; the achieved total can therefore differ from
/// these sparsities by up to one weight per row, which callers with narrow layers must account for.
/// </summary>
internal static class OwlAllocator
{
    /// <summary>The paper's M (reference <c>Hyper_m</c>): a score is an outlier above M times the layer mean.</summary>
    public const double DefaultM = 5;

    /// <summary>The paper's λ (reference <c>Lamda</c>): each layer's sparsity stays within ±λ of the target.</summary>
    public const double DefaultLambda = 0.08;

    /// <summary>D: the fraction of Wanda scores |W_ij| · ‖X_j‖ above M times their mean over the layer.</summary>
    public static double OutlierRatio(ReadOnlySpan<float> W, int rows, int cols, ReadOnlySpan<double> columnNormsSquared, double M = DefaultM)
    {
        if (W.Length == 0) return 0;
        var S = new float[W.Length];
        WandaPruner.Scores(W, rows, cols, columnNormsSquared, S);
        return OutlierRatio(S, M);
    }

    /// <summary>D of precomputed scores, e.g. of several weights of one block concatenated as the reference does.</summary>
    public static double OutlierRatio(ReadOnlySpan<float> S, double M = DefaultM)
    {
        if (S.Length == 0) return 0;
        double sum = 0;
        foreach (var s in S) sum += s;
        var threshold = M * (sum / S.Length);
        long outliers = 0;
        foreach (var s in S) outliers += s > threshold ? 1 : 0;
        return (double)outliers / S.Length;
    }

    /// <summary>The sparsity of each layer, in the order given; see the class summary for the formula.</summary>
    public static double[] Allocate(IReadOnlyList<OwlLayer> layers, double target, double lambda = DefaultLambda)
    {
        if (!(target >= 0 && target <= 1)) throw new ArgumentOutOfRangeException(nameof(target), target, "the target sparsity must lie in [0, 1]");
        if (!(lambda >= 0)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must not be negative");
        foreach (var layer in layers)
        {
            if (layer.Parameters < 0) throw new ArgumentException($"a layer has {layer.Parameters} parameters", nameof(layers));
            if (!double.IsFinite(layer.OutlierRatio)) throw new ArgumentException($"a layer has outlier ratio {layer.OutlierRatio}", nameof(layers));
        }

        var sparsities = new double[layers.Count];
        var min = layers.Count == 0 ? 0 : layers.Min(l => l.OutlierRatio);
        var max = layers.Count == 0 ? 0 : layers.Max(l => l.OutlierRatio);
        double total = layers.Sum(l => (double)l.Parameters);
        if (lambda == 0 || max == min || total == 0)
        {
            Array.Fill(sparsities, target);
            return sparsities;
        }

        var baseline = layers.Select(l => target - (lambda * ((2 * (l.OutlierRatio - min) / (max - min)) - 1))).ToArray();
        var floor = Math.Max(0, target - lambda);
        var ceiling = Math.Min(1, target + lambda);
        double Mean(double shift)
        {
            double sum = 0;
            for (var l = 0; l < baseline.Length; l++) sum += layers[l].Parameters * Math.Clamp(baseline[l] + shift, floor, ceiling);
            return sum / total;
        }

        double low = -2 * lambda, high = 2 * lambda;
        // 200 halvings reach the spacing of doubles near c long before the loop ends.
        for (var step = 0; step < 200 && low < high; step++)
        {
            var middle = (low + high) / 2;
            if (middle <= low || middle >= high) break;
            if (Mean(middle) < target) low = middle;
            else high = middle;
        }

        var c = Math.Abs(Mean(low) - target) <= Math.Abs(Mean(high) - target) ? low : high;
        for (var l = 0; l < sparsities.Length; l++) sparsities[l] = Math.Clamp(baseline[l] + c, floor, ceiling);
        return sparsities;
    }
}
