using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Pruning.Wanda;

namespace ModelPrune.Engine.Tests.Wanda;

public sealed class WandaPrunerTests
{
    [Fact]
    public void Scores_are_the_weight_magnitude_times_the_column_norm()
    {
        float[] W = { -1f, 2f, 3f, -4f };
        var S = new float[4];

        WandaPruner.Scores(W, 2, 2, new[] { 4.0, 9.0 }, S);

        Assert.Equal(new[] { 2f, 6f, 6f, 12f }, S);
    }

    [Fact]
    public void A_large_input_norm_protects_a_small_weight()
    {
        // Row 0: |W| alone would prune column 0; its input is 100 times larger, so column 1 goes instead.
        float[] W = { 0.1f, 0.5f };

        WandaPruner.Prune(W, 1, 2, new[] { 10000.0, 1.0 }, SparsityPattern.Unstructured, 0.5);

        Assert.Equal(new[] { 0.1f, 0f }, W);
    }

    [Fact]
    public void Equal_scores_prune_the_lower_column_first()
    {
        float[] W = { 1f, -1f, 1f, 2f, -1f, 1f, 3f, 1f };
        var ones = Enumerable.Repeat(1.0, 8).ToArray();
        var unstructured = new bool[8];
        var nm = new bool[8];

        WandaPruner.SelectPruned(W, 1, 8, ones, SparsityPattern.Unstructured, 0.5, unstructured);
        WandaPruner.SelectPruned(W, 1, 8, ones, new SparsityPattern(2, 4), 0.5, nm);

        Assert.Equal(new[] { true, true, true, false, true, false, false, false }, unstructured);
        Assert.Equal(new[] { true, true, false, false, true, true, false, false }, nm);
    }

    [Fact]
    public void The_count_per_row_is_rounded_down_as_in_Wanda()
    {
        var W = Enumerable.Range(1, 30).Select(i => (float)i).ToArray();

        WandaPruner.Prune(W, 3, 10, Enumerable.Repeat(1.0, 10).ToArray(), SparsityPattern.Unstructured, 0.39);

        Assert.Equal(9, W.Count(w => w == 0f));
        Assert.Equal(3, WandaPruner.PrunedPerRow(10, 0.39));
    }

    [Fact]
    public void NaN_scores_are_pruned_last()
    {
        float[] W = { float.NaN, 1f, 2f, 3f };

        WandaPruner.Prune(W, 1, 4, new[] { 1.0, 1.0, 1.0, 1.0 }, new SparsityPattern(3, 4), 0);

        Assert.True(float.IsNaN(W[0]));
        Assert.Equal(new[] { 0f, 0f, 0f }, W[1..]);
    }

    [Fact]
    public void Large_layers_split_over_cores_give_the_same_result_as_row_by_row()
    {
        const int rows = 300, cols = 256;
        var random = new Random(7);
        var W = Enumerable.Range(0, rows * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var normsSquared = Enumerable.Range(0, cols).Select(_ => random.NextDouble() * 10).ToArray();
        var whole = (float[])W.Clone();

        WandaPruner.Prune(whole, rows, cols, normsSquared, SparsityPattern.Unstructured, 0.7);

        for (var i = 0; i < rows; i++)
        {
            var row = W.AsSpan(i * cols, cols).ToArray();
            WandaPruner.Prune(row, 1, cols, normsSquared, SparsityPattern.Unstructured, 0.7);
            Assert.Equal(row, whole.AsSpan(i * cols, cols).ToArray());
            Assert.Equal(179, row.Count(w => w == 0f));
        }
    }

    [Fact]
    public void Explicit_counts_per_row_are_honoured()
    {
        var W = Enumerable.Range(1, 12).Select(i => (float)i).ToArray();

        WandaPruner.Prune(W, 2, 6, Enumerable.Repeat(1.0, 6).ToArray(), prunedPerRow: 4);

        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 5f, 6f, 0f, 0f, 0f, 0f, 11f, 12f }, W);
    }

    [Fact]
    public void Bad_shapes_are_rejected()
    {
        var W = new float[12];
        var norms = new double[6];

        Assert.Throws<ArgumentException>(() => WandaPruner.Prune(W, 2, 6, norms, new SparsityPattern(2, 4), 0));
        Assert.Throws<ArgumentException>(() => WandaPruner.Prune(W, 3, 6, norms, SparsityPattern.Unstructured, 0.5));
        Assert.Throws<ArgumentException>(() => WandaPruner.Prune(W, 2, 6, new double[5], SparsityPattern.Unstructured, 0.5));
        Assert.Throws<ArgumentException>(() => WandaPruner.Prune(W, 2, 6, new[] { 1.0, 1, 1, 1, 1, -1 }, SparsityPattern.Unstructured, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => WandaPruner.Prune(W, 2, 6, norms, SparsityPattern.Unstructured, 1.5));
    }
}
