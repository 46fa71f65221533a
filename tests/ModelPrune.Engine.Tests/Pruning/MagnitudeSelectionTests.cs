using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Tests.Pruning;

public sealed class MagnitudeSelectionTests
{
    [Theory]
    [InlineData(1000, 0.4)]
    [InlineData(999, 0.5)]
    [InlineData(17, 0.9)]
    [InlineData(64, 0.0)]
    public void Zeroes_exactly_the_requested_share_and_only_the_smallest_magnitudes(int n, double sparsity)
    {
        var random = new Random(n);
        var W = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var original = (float[])W.Clone();

        var k = MagnitudeSelection.CountFor(n, sparsity);
        MagnitudeSelection.ZeroSmallest(W, k);

        Assert.Equal(k, W.Count(w => w == 0f));
        var largestRemoved = original.Where((_, i) => W[i] == 0f).Select(MathF.Abs).DefaultIfEmpty(0f).Max();
        var smallestKept = original.Where((_, i) => W[i] != 0f).Select(MathF.Abs).DefaultIfEmpty(float.MaxValue).Min();
        Assert.True(largestRemoved <= smallestKept, $"removed {largestRemoved} > kept {smallestKept}");
        Assert.All(Enumerable.Range(0, n).Where(i => W[i] != 0f), i => Assert.Equal(original[i], W[i]));
    }

    [Fact]
    public void Ties_at_the_threshold_are_removed_in_index_order()
    {
        var W = new[] { 0.5f, -0.1f, 0.1f, 0.9f, 0.1f, -0.1f };

        MagnitudeSelection.ZeroSmallest(W, 3);

        Assert.Equal(new[] { 0.5f, 0f, 0f, 0.9f, 0f, -0.1f }, W);
    }

    [Fact]
    public void Kth_smallest_key_matches_sorting_including_signs_zeros_and_extremes()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 5001).Select(_ => (float)(random.NextDouble() * 2 - 1) * MathF.Pow(10, random.Next(-30, 30))).ToArray();
        values[10] = 0f;
        values[11] = -0f;
        values[12] = float.Epsilon;
        values[13] = float.MaxValue;
        var sorted = values.Select(MathF.Abs).OrderBy(v => v).ToArray();

        foreach (var k in new[] { 1, 2, 3, 2500, 5000, 5001 })
        {
            var (key, below) = MagnitudeSelection.KthSmallestKey(values, k);
            Assert.Equal(sorted[k - 1], BitConverter.UInt32BitsToSingle(key));
            Assert.Equal(sorted.Count(v => v < sorted[k - 1]), below);
        }
    }
}
