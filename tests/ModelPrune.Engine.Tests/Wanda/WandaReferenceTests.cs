using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Pruning.Wanda;
using ModelPrune.Engine.Tests.Reference;

namespace ModelPrune.Engine.Tests.Wanda;

/// <summary>
/// Wanda and per-row magnitude pruning against the published reference code's results on real MiniLM
/// layers (../shared/reference): identical masks, kept weights untouched (so the pruned weights hash to the
/// reference's What_sha256), and the same reconstruction error.
/// </summary>
public sealed class WandaReferenceTests
{
    [Theory]
    [MemberData(nameof(ReferenceData.LayerPatternCases), MemberType = typeof(ReferenceData))]
    public void Wanda_masks_and_errors_equal_the_reference(string name, string pattern)
    {
        var (layer, normsSquared) = ReferenceLayers.Get(name);
        var W = (float[])layer.W.Clone();

        WandaPruner.Prune(W, layer.Out, layer.In, normsSquared, Pattern(pattern), 0.5);

        AssertPrunedExactly(layer, W, layer.PrunedMask(MaskFile("wanda", pattern)));
        Assert.Equal(ReferenceHash(name, "wanda", pattern), ReferenceData.Sha256(W));
        AssertRelativeError(layer, W, ReferenceData.ReferenceError(name, "wanda", pattern));
    }

    [Theory]
    [MemberData(nameof(ReferenceData.LayerPatternCases), MemberType = typeof(ReferenceData))]
    public void Magnitude_per_row_masks_and_errors_equal_the_reference(string name, string pattern)
    {
        var (layer, _) = ReferenceLayers.Get(name);
        var W = (float[])layer.W.Clone();

        WandaPruner.PruneRowsByMagnitude(W, layer.Out, layer.In, Pattern(pattern), 0.5);

        AssertPrunedExactly(layer, W, layer.PrunedMask(MaskFile("magnitude", pattern)));
        Assert.Equal(ReferenceHash(name, "magnitude", pattern), ReferenceData.Sha256(W));
        AssertRelativeError(layer, W, ReferenceData.ReferenceError(name, "magnitude", pattern));
    }

    [Theory]
    [MemberData(nameof(ReferenceData.LayerPatternCases), MemberType = typeof(ReferenceData))]
    public void Unit_norms_are_magnitude_pruning(string name, string pattern)
    {
        var (layer, _) = ReferenceLayers.Get(name);
        var ones = Enumerable.Repeat(1.0, layer.In).ToArray();
        var pruned = new bool[layer.W.Length];

        WandaPruner.SelectPruned(layer.W, layer.Out, layer.In, ones, Pattern(pattern), 0.5, pruned);

        Assert.Equal(layer.PrunedMask(MaskFile("magnitude", pattern)), pruned);
    }

    [Theory]
    [MemberData(nameof(ReferenceData.LayerPatternCases), MemberType = typeof(ReferenceData))]
    public void The_reference_float32_statistics_give_the_same_masks(string name, string pattern)
    {
        // Different rounding of Σx² (float32 in token order, as torch does) moves scores by about 1e-6 relative,
        // the size of the closest decisions in manifest.json's near_ties; none of them flips.
        var (layer, _) = ReferenceLayers.Get(name);
        var scalerRow = TorchScalerRow.Compute(layer.X, layer.Tokens, layer.In);
        var pruned = new bool[layer.W.Length];

        WandaPruner.SelectPruned(layer.W, layer.Out, layer.In, scalerRow, Pattern(pattern), 0.5, pruned);

        Assert.Equal(layer.PrunedMask(MaskFile("wanda", pattern)), pruned);
    }

    [Fact]
    public void Streamed_batches_give_the_norms_of_one_pass()
    {
        var (layer, normsSquared) = ReferenceLayers.Get("L0_ffn_output");
        var streamed = new double[layer.In];
        var split = 333 * layer.In;

        WandaPruner.AccumulateColumnNormsSquared(layer.X.AsSpan(0, split), 333, layer.In, streamed);
        WandaPruner.AccumulateColumnNormsSquared(layer.X.AsSpan(split), layer.Tokens - 333, layer.In, streamed);

        for (var j = 0; j < layer.In; j++)
        {
            double exact = 0;
            for (var t = 0; t < layer.Tokens; t++) exact += (double)layer.X[(t * layer.In) + j] * layer.X[(t * layer.In) + j];
            Assert.Equal(exact, normsSquared[j], exact * 1e-13);
            Assert.Equal(exact, streamed[j], exact * 1e-13);
        }
    }

    /// <summary>metrics.csv's What_sha256: SHA-256 of the reference's pruned weights as raw float32 bytes.</summary>
    private static string ReferenceHash(string layer, string method, string pattern) =>
        File.ReadLines(ReferenceData.File("metrics.csv"))
            .Select(line => line.Split(','))
            .Single(cells => cells[0] == layer && cells[1] == method && cells[2] == pattern)[12];

    private static SparsityPattern Pattern(string pattern) =>
        pattern == "2:4" ? new SparsityPattern(2, 4) : SparsityPattern.Unstructured;

    private static string MaskFile(string method, string pattern) =>
        $"{method}.{(pattern == "2:4" ? "2of4" : pattern)}.pruned_mask.packbits.npy";

    /// <summary>Every decision matches, pruned weights are +0.0 and kept weights are bit-identical to W.</summary>
    private static void AssertPrunedExactly(ReferenceLayer layer, float[] pruned, bool[] referencePruned)
    {
        var mismatches = new List<string>();
        for (var i = 0; i < pruned.Length; i++)
        {
            var expected = referencePruned[i] ? 0u : BitConverter.SingleToUInt32Bits(layer.W[i]);
            if (BitConverter.SingleToUInt32Bits(pruned[i]) != expected) mismatches.Add($"({i / layer.In},{i % layer.In})");
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} weights differ from the reference, first at {string.Join(" ", mismatches.Take(10))}");
    }

    private static void AssertRelativeError(ReferenceLayer layer, float[] pruned, double reference)
    {
        var error = layer.RelativeError(pruned);
        Assert.True(Math.Abs(error - reference) <= 1e-6 * reference, $"rel_err {error:R} against the reference {reference:R}");
    }
}
