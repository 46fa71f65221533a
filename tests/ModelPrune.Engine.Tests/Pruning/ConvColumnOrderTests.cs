using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Tests.Pruning;

public sealed class ConvColumnOrderTests
{
    [Fact]
    public void Consecutive_columns_become_consecutive_channels_at_one_kernel_position()
    {
        // One row of a [1, 3 channels, 2 positions] weight: stored c·2 + k.
        var order = new ConvColumnOrder(channels: 3, positions: 2);
        var stored = new float[] { 0, 1, 10, 11, 20, 21 };

        Assert.Equal(new float[] { 0, 10, 20, 1, 11, 21 }, order.Rows(stored, 1));
        Assert.Equal(new double[] { 0, 10, 20, 1, 11, 21 }, order.Vector(stored.Select(v => (double)v).ToArray()));
    }

    [Fact]
    public void Rows_restore_and_the_square_matrix_follows_the_vector()
    {
        var order = new ConvColumnOrder(channels: 4, positions: 3);
        var random = new Random(5);
        var W = Enumerable.Range(0, 2 * 12).Select(_ => (float)random.NextDouble()).ToArray();
        var x = Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble()).ToArray();
        var H = new float[144];
        for (var a = 0; a < 12; a++)
        {
            for (var b = 0; b < 12; b++) H[(a * 12) + b] = x[a] * x[b];
        }

        Assert.Equal(W, order.RestoreRows(order.Rows(W, 2), 2));
        var reordered = order.Rows(x, 1);
        var expected = new float[144];
        for (var a = 0; a < 12; a++)
        {
            for (var b = 0; b < 12; b++) expected[(a * 12) + b] = reordered[a] * reordered[b];
        }

        Assert.Equal(expected, order.Square(H));
        Assert.Throws<ArgumentException>(() => order.Rows(W, 3));
    }
}
