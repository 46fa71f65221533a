using ModelPrune.Engine.Pruning.SparseGpt;

namespace ModelPrune.Engine.Tests.SparseGpt;

/// <summary>The edge cases of SparseGPT the reference layers do not reach.</summary>
public sealed class SparseGptPrunerTests
{
    [Fact]
    public void Dead_inputs_lose_their_weights_and_the_rest_is_pruned_normally()
    {
        const int rows = 8, cols = 32, tokens = 64;
        var X = ManagedLinearAlgebraTests.Random(tokens * cols, seed: 1);
        for (var t = 0; t < tokens; t++) X[(t * cols) + 5] = X[(t * cols) + 17] = 0f;
        var H = new float[cols * cols];
        SparseGptPruner.AccumulateHessian(H, X, tokens, cols);
        var original = (float[])H.Clone();
        var W = ManagedLinearAlgebraTests.Random(rows * cols, seed: 2);

        var result = SparseGptPruner.Prune(W, rows, cols, H, 0.5, blockSize: 16);

        Assert.Equal(original, H);
        Assert.Equal(0, result.DampeningSteps);
        Assert.All(W, w => Assert.True(float.IsFinite(w)));
        for (var r = 0; r < rows; r++)
        {
            Assert.Equal(0f, W[(r * cols) + 5]);
            Assert.Equal(0f, W[(r * cols) + 17]);
        }

        // Per 16-column block: int(0.5 · 8 · 16) + 1 scores are <= the threshold. The dead columns score 0,
        // so they are among them, and nothing else is zero.
        Assert.Equal(2 * 65, W.Count(w => w == 0f));
    }

    [Fact]
    public void A_singular_hessian_without_dampening_gets_the_default_dampening()
    {
        // H = v vᵀ with v = (1, 1, 1, 1): rank one, so the second pivot is exactly zero.
        var H = Enumerable.Repeat(1f, 16).ToArray();
        var W = ManagedLinearAlgebraTests.Random(2 * 4, seed: 3);

        var result = SparseGptPruner.Prune(W, 2, 4, H, 0.5, n: 2, m: 4, percDamp: 0);

        Assert.Equal(1, result.DampeningSteps);
        Assert.Equal(SparseGptPruner.DefaultPercDamp, result.Dampening);
        Assert.Equal(4, W.Count(w => w == 0f));
    }

    [Fact]
    public void An_indefinite_hessian_raises_the_dampening_tenfold_until_the_factorisation_succeeds()
    {
        // Eigenvalues 4 and -2 with mean diagonal 1: H + 0.01, 0.1 and 1 are indefinite, H + 10 is not.
        float[] H = { 1, 3, 3, 1 };
        var W = new float[] { 1, 2, 3, 4 };

        var result = SparseGptPruner.Prune(W, 2, 2, H, 0.5, percDamp: 0.01);

        Assert.Equal(3, result.DampeningSteps);
        Assert.Equal(10, result.Dampening, 9);
    }

    [Fact]
    public void A_hessian_with_nan_is_refused_with_a_message()
    {
        var H = new float[] { 1, float.NaN, float.NaN, 1 };
        var W = new float[] { 1, 2, 3, 4 };

        var error = Assert.Throws<InvalidOperationException>(() => SparseGptPruner.Prune(W, 2, 2, H, 0.5));
        Assert.Contains("not positive definite", error.Message);
    }

    [Theory]
    [InlineData(30, 2, 4, 128)]   // input width not a multiple of M
    [InlineData(32, 2, 4, 126)]   // block size not a multiple of M
    [InlineData(32, 4, 4, 128)]   // N must be below M
    public void N_M_shapes_the_reference_cannot_prune_are_refused(int cols, int n, int m, int blockSize)
    {
        var W = new float[2 * cols];
        var H = new float[cols * cols];
        Assert.Throws<ArgumentException>(() => SparseGptPruner.Prune(W, 2, cols, H, 0.5, n, m, blockSize));
    }
}
