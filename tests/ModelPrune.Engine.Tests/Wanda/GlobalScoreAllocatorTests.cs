using ModelPrune.Engine.Pruning.Wanda;

namespace ModelPrune.Engine.Tests.Wanda;

public sealed class GlobalScoreAllocatorTests
{
    [Fact]
    public void One_threshold_takes_the_smallest_scores_wherever_they_are()
    {
        var small = new float[] { 0.1f, 0.2f, 0.3f, 0.4f };
        var large = new float[] { 5f, 6f, 0.15f, 7f };

        var zeros = GlobalScoreAllocator.Allocate(new[] { small, large }, totalZeros: 3, floor: 0, ceiling: 1);

        // 0.1, 0.15 and 0.2 are the three smallest.
        Assert.Equal(new long[] { 2, 1 }, zeros);
    }

    [Fact]
    public void Floor_and_ceiling_bound_each_layer_and_the_total_stays_exact()
    {
        var small = Enumerable.Range(1, 10).Select(i => i * 0.01f).ToArray();
        var large = Enumerable.Range(1, 10).Select(i => i * 10f).ToArray();

        var zeros = GlobalScoreAllocator.Allocate(new[] { small, large }, totalZeros: 10, floor: 0.2, ceiling: 0.7);

        // Unbounded, all ten would come from the first layer; the ceiling keeps 3 there, the floor takes 2 from the second.
        Assert.Equal(new long[] { 7, 3 }, zeros);
    }

    [Fact]
    public void Ties_at_the_threshold_go_to_the_earlier_layers()
    {
        var a = new float[] { 1f, 1f, 1f };
        var b = new float[] { 1f, 1f, 1f };

        Assert.Equal(new long[] { 3, 1 }, GlobalScoreAllocator.Allocate(new[] { a, b }, 4, 0, 1));
        Assert.Equal(new long[] { 0, 0 }, GlobalScoreAllocator.Allocate(new[] { a, b }, 0, 0, 1));
    }

    [Fact]
    public void Random_layers_always_sum_to_the_target()
    {
        var random = new Random(9);
        for (var trial = 0; trial < 50; trial++)
        {
            var layers = Enumerable.Range(0, 1 + random.Next(5))
                .Select(_ => Enumerable.Range(0, 1 + random.Next(200)).Select(_ => (float)Math.Round(random.NextDouble() * (1 + random.Next(50)), 2)).ToArray())
                .ToArray();
            var total = layers.Sum(l => (long)l.Length);
            var target = (long)(total * 0.5);

            var zeros = GlobalScoreAllocator.Allocate(layers, target, 0.1, 0.9);

            var low = layers.Sum(l => (long)Math.Ceiling(l.Length * 0.1));
            var high = layers.Sum(l => (long)Math.Floor(l.Length * 0.9));
            Assert.Equal(Math.Clamp(target, low, high), zeros.Sum());
            for (var l = 0; l < layers.Length; l++)
            {
                Assert.InRange(zeros[l], (long)Math.Ceiling(layers[l].Length * 0.1), Math.Max((long)Math.Ceiling(layers[l].Length * 0.1), (long)Math.Floor(layers[l].Length * 0.9)));
            }
        }
    }

    [Fact]
    public void Negative_or_nan_scores_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => GlobalScoreAllocator.Allocate(new[] { new[] { -1f, 2f } }, 1, 0, 1));
        Assert.Throws<ArgumentException>(() => GlobalScoreAllocator.Allocate(new[] { new[] { float.NaN, 2f } }, 1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GlobalScoreAllocator.Allocate(new[] { new[] { 1f } }, 1, 0.6, 0.5));
    }
}
