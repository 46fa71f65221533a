using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Tests.Pruning;

public sealed class NmMagnitudePrunerTests
{
    [Theory]
    [InlineData(2, 4)]
    [InlineData(1, 4)]
    [InlineData(4, 8)]
    [InlineData(2, 3)]
    public void Every_group_along_the_input_axis_keeps_its_largest_M_minus_N(int N, int M)
    {
        // MatMul weight B [K, out]: the input axis is 0, so groups run down the columns.
        long[] shape = { 24, 5 };
        var W = RandomWeights(24 * 5, seed: N * 10 + M);
        var original = (float[])W.Clone();
        var layout = InputAxisLayout.From(shape, 0);

        NmMagnitudePruner.Prune(W, layout, new SparsityPattern(N, M));

        for (long column = 0; column < 5; column++)
        {
            for (long g = 0; g < 24 / M; g++)
            {
                var indices = Enumerable.Range(0, M).Select(t => layout.Index(0, g * M + t, column)).ToArray();
                Assert.Equal(N, indices.Count(i => W[i] == 0f));
                var removed = indices.Where(i => W[i] == 0f).Max(i => MathF.Abs(original[i]));
                var kept = indices.Where(i => W[i] != 0f).Min(i => MathF.Abs(original[i]));
                Assert.True(removed <= kept);
            }
        }

        Assert.Equal((double)N / M, W.Count(w => w == 0f) / (double)W.Length, 9);
    }

    [Fact]
    public void Conv_weights_are_grouped_along_input_channels_at_each_kernel_position()
    {
        // Conv W [Cout=3, Cin=8, 2, 2], input axis 1.
        long[] shape = { 3, 8, 2, 2 };
        var W = RandomWeights(3 * 8 * 2 * 2, seed: 3);
        var layout = InputAxisLayout.From(shape, 1);

        NmMagnitudePruner.Prune(W, layout, new SparsityPattern(2, 4));

        for (long cout = 0; cout < 3; cout++)
        for (long position = 0; position < 4; position++)
        for (long g = 0; g < 2; g++)
        {
            var zeros = Enumerable.Range(0, 4).Count(t => W[layout.Index(cout, g * 4 + t, position)] == 0f);
            Assert.Equal(2, zeros);
        }
    }

    [Fact]
    public void Refuses_a_dimension_that_is_not_a_multiple_of_M()
    {
        var layout = InputAxisLayout.From(new long[] { 10, 3 }, 0);

        Assert.False(NmMagnitudePruner.Fits(layout, new SparsityPattern(2, 4)));
        Assert.Throws<ArgumentException>(() => NmMagnitudePruner.Prune(new float[30], layout, new SparsityPattern(2, 4)));
    }

    private static float[] RandomWeights(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
