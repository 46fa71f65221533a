using ModelPrune.Engine.Pruning.Wanda;
using ModelPrune.Engine.Tests.Reference;

namespace ModelPrune.Engine.Tests.Wanda;

public sealed class OwlAllocatorTests
{
    private static readonly OwlLayer[] Layers =
    {
        new(384 * 384, 0.002),
        new(1536 * 384, 0.010),
        new(384 * 1536, 0.004),
        new(384 * 1536, 0.0005),
        new(4096, 0.03),
    };

    [Theory]
    [InlineData(0.5, 0.08)]
    [InlineData(0.7, 0.08)]
    [InlineData(0.05, 0.08)]
    [InlineData(0.97, 0.08)]
    [InlineData(0.5, 0.2)]
    public void Sparsities_stay_within_lambda_and_meet_the_target_exactly(double target, double lambda)
    {
        var sparsities = OwlAllocator.Allocate(Layers, target, lambda);

        Assert.All(sparsities, s => Assert.InRange(s, Math.Max(0, target - lambda) - 1e-12, Math.Min(1, target + lambda) + 1e-12));
        Assert.Equal(target, WeightedMean(sparsities), 1e-9);
    }

    [Fact]
    public void More_outliers_mean_lower_sparsity()
    {
        var sparsities = OwlAllocator.Allocate(Layers, 0.5);

        var byOutliers = Enumerable.Range(0, Layers.Length).OrderBy(l => Layers[l].OutlierRatio).Select(l => sparsities[l]).ToArray();
        for (var i = 1; i < byOutliers.Length; i++) Assert.True(byOutliers[i] <= byOutliers[i - 1]);
        Assert.True(sparsities[1] < 0.5 && sparsities[3] > 0.5);
    }

    [Fact]
    public void Equal_sizes_without_clamping_reproduce_the_reference_formula()
    {
        // luuyin/OWL: kept = 2λ (D − min)/(max − min) − mean(·) + (1 − target); sparsity = 1 − kept.
        // These D spread symmetrically enough that the reference stays within ±λ by itself.
        double[] D = { 1.0, 4.0, 2.0, 5.0 };
        const double target = 0.6, lambda = 0.08;
        var layers = D.Select(d => new OwlLayer(1000, d)).ToArray();
        var scaled = D.Select(d => 2 * lambda * (d - D.Min()) / (D.Max() - D.Min())).ToArray();
        var reference = scaled.Select(x => 1 - (x - scaled.Average() + (1 - target))).ToArray();

        var sparsities = OwlAllocator.Allocate(layers, target, lambda);

        for (var l = 0; l < D.Length; l++) Assert.Equal(reference[l], sparsities[l], 1e-12);
    }

    [Fact]
    public void Where_the_reference_would_leave_the_band_the_layer_is_held_at_its_edge()
    {
        // The reference would give the layer with D = 6 a sparsity of 0.6 − 0.096, beyond −λ.
        var layers = new[] { 1.0, 3.0, 2.0, 6.0 }.Select(d => new OwlLayer(1000, d)).ToArray();

        var sparsities = OwlAllocator.Allocate(layers, 0.6, 0.08);

        Assert.Equal(0.52, sparsities[3], 1e-12);
        Assert.Equal(0.6, sparsities.Average(), 1e-12);
    }

    [Fact]
    public void Lambda_zero_or_equal_outliers_give_uniform_sparsity()
    {
        Assert.All(OwlAllocator.Allocate(Layers, 0.6, 0), s => Assert.Equal(0.6, s));
        Assert.All(OwlAllocator.Allocate(Layers.Select(l => l with { OutlierRatio = 0.01 }).ToArray(), 0.6), s => Assert.Equal(0.6, s));
        Assert.Empty(OwlAllocator.Allocate(Array.Empty<OwlLayer>(), 0.6));
    }

    [Fact]
    public void Outlier_ratio_counts_scores_above_M_times_the_mean()
    {
        // Scores 1, 1, 1, 1, 1, 1, 1, 13: mean 2.5, so only 13 exceeds 5 × 2.5.
        float[] W = { 1, 1, 1, 1, 1, 1, 1, 13 };

        Assert.Equal(1.0 / 8, OwlAllocator.OutlierRatio(W, 2, 4, new[] { 1.0, 1, 1, 1 }));
        Assert.Equal(0, OwlAllocator.OutlierRatio(W, 2, 4, new[] { 1.0, 1, 1, 1 }, M: 6));
    }

    [Fact]
    public void Reference_layers_get_sparsities_in_their_outlier_order()
    {
        var layers = ReferenceData.Layers.Select(name =>
        {
            var (layer, normsSquared) = ReferenceLayers.Get(name);
            return new OwlLayer(layer.W.Length, OwlAllocator.OutlierRatio(layer.W, layer.Out, layer.In, normsSquared));
        }).ToArray();

        var sparsities = OwlAllocator.Allocate(layers, 0.5);

        Assert.All(layers, l => Assert.InRange(l.OutlierRatio, 1e-5, 0.2));
        var total = layers.Sum(l => (double)l.Parameters);
        Assert.Equal(0.5, layers.Select((l, i) => l.Parameters * sparsities[i]).Sum() / total, 1e-9);
        var most = Array.IndexOf(layers, layers.MaxBy(l => l.OutlierRatio));
        var least = Array.IndexOf(layers, layers.MinBy(l => l.OutlierRatio));
        Assert.True(sparsities[most] < sparsities[least]);
    }

    private static double WeightedMean(double[] sparsities) =>
        Layers.Select((l, i) => l.Parameters * sparsities[i]).Sum() / Layers.Sum(l => (double)l.Parameters);
}
