using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class EmbeddingMetricsTests
{
    [Fact]
    public void Identical_embeddings_have_cosine_one_and_keep_every_neighbour()
    {
        var embeddings = new double[] { 1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9 };

        var result = EmbeddingMetrics.Compute(embeddings, embeddings, width: 2);

        Assert.Equal(4, result.Items);
        Assert.Equal(1, result.MeanCosine, 12);
        Assert.Equal(1, result.Percentile5Cosine, 12);
        Assert.Equal(1, result.NeighbourAgreement);
    }

    [Fact]
    public void Cosines_per_item_and_their_fifth_percentile()
    {
        // Item 0 unchanged (cosine 1), item 1 turned by 90° (cosine 0).
        var original = new double[] { 1, 0, 1, 0 };
        var pruned = new double[] { 2, 0, 0, 3 };

        var result = EmbeddingMetrics.Compute(original, pruned, width: 2);

        Assert.Equal(0.5, result.MeanCosine, 12);
        // numpy.percentile([0, 1], 5) = 0.05.
        Assert.Equal(0.05, result.Percentile5Cosine, 12);
    }

    [Fact]
    public void An_item_whose_nearest_neighbour_changes_lowers_the_agreement()
    {
        // a and b are close, c far; in the pruned model c moves next to a (on the side away from b), so a's neighbour becomes c.
        var original = new double[] { 1, 0, 0.95, 0.05, 0, 1 };
        var pruned = new double[] { 1, 0, 0.8, 0.6, 0.99, -0.1 };

        var result = EmbeddingMetrics.Compute(original, pruned, width: 2);

        // a: b → c (changed); b: a → a (kept); c: b → a (changed).
        Assert.Equal(1.0 / 3, result.NeighbourAgreement!.Value, 12);
    }

    [Fact]
    public void One_item_has_no_neighbour()
    {
        Assert.Null(EmbeddingMetrics.Compute(new double[] { 1, 2 }, new double[] { 1, 2 }, width: 2).NeighbourAgreement);
    }

    [Fact]
    public void Percentile_interpolates_like_numpy()
    {
        // numpy.percentile([1, 2, 3, 4, 5], 5) = 1.2
        Assert.Equal(1.2, EmbeddingMetrics.Percentile(new double[] { 1, 2, 3, 4, 5 }, 0.05), 12);
    }
}
