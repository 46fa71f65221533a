using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Tests.Pruning;

public sealed class GlobalMagnitudePrunerTests
{
    [Fact]
    public void Meets_the_model_wide_target_exactly_and_takes_more_from_layers_with_small_weights()
    {
        var small = Layer("small", 1000, scale: 0.1f, seed: 1);
        var large = Layer("large", 3000, scale: 1.0f, seed: 2);

        var counts = GlobalMagnitudePruner.Prune(new[] { small, large }, sparsity: 0.5, maxLayerSparsity: 1.0);

        Assert.Equal(2000, counts.Sum());
        Assert.Equal(counts[0], small.W.Count(w => w == 0f));
        Assert.Equal(counts[1], large.W.Count(w => w == 0f));
        Assert.True(counts[0] > 500, $"small layer lost only {counts[0]} of 1000");
        var removedMax = small.W.Concat(large.W).Count(w => w == 0f);
        Assert.Equal(2000, removedMax);
    }

    [Fact]
    public void No_layer_passes_the_ceiling_and_the_rest_make_up_the_difference()
    {
        var tiny = Layer("tiny", 400, scale: 0.001f, seed: 3);
        var normal = Layer("normal", 600, scale: 1.0f, seed: 4);

        var counts = GlobalMagnitudePruner.Prune(new[] { tiny, normal }, sparsity: 0.6, maxLayerSparsity: 0.8);

        Assert.Equal(320, counts[0]);          // 80% of 400: the ceiling
        Assert.Equal(600 - 320, counts[1]);    // the remainder of the 600 target
        Assert.Equal(320, tiny.W.Count(w => w == 0f));
        Assert.Equal(280, normal.W.Count(w => w == 0f));
    }

    [Fact]
    public void Is_deterministic_with_many_equal_magnitudes()
    {
        float[] Make() => Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? 0.5f : -0.5f).ToArray();
        var a = new LayerWeights("a", Make(), InputAxisLayout.From(new long[] { 10, 10 }, 0));
        var b = new LayerWeights("b", Make(), InputAxisLayout.From(new long[] { 10, 10 }, 0));

        var counts = GlobalMagnitudePruner.Prune(new[] { a, b }, sparsity: 0.25, maxLayerSparsity: 1.0);

        Assert.Equal(50, counts.Sum());
        Assert.Equal(new long[] { 50, 0 }, counts);
        Assert.All(a.W.Take(50), w => Assert.Equal(0f, w));
    }

    private static LayerWeights Layer(string name, int n, float scale, int seed)
    {
        var random = new Random(seed);
        var W = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        return new LayerWeights(name, W, InputAxisLayout.From(new long[] { n }, 0));
    }
}
