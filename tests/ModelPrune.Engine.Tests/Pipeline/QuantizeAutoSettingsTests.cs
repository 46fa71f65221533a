using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Search;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>Quantize="auto" as parsed: two levels (int4 with the given companions, int8 per channel), per-layer choice, the cache key.</summary>
public sealed class QuantizeAutoSettingsTests
{
    [Fact]
    public void Auto_searches_quantization_at_the_given_sparsity_with_int4_and_int8_levels()
    {
        var settings = Parse(new RawSettings { Quantize = "Auto", Sparsity = "0.3", EvaluationData = "eval.npz", QuantGroupSize = "128" });
        var quantization = settings.Quantization!;

        Assert.Equal(SearchedSetting.Quantize, settings.Search!.Setting);
        Assert.Equal(0.3, settings.Sparsity);
        Assert.Equal("auto", quantization.Name);
        // Before the search chose, every layer is at the most compressed level.
        var int4 = quantization.ForLayer("w")!;
        Assert.Equal((4, 128, false, (MixedPrecision?)null), (int4.Bits, int4.GroupSize, int4.Symmetric, int4.Mixed));

        var chosen = quantization.WithLayerBits(new Dictionary<string, int> { ["a"] = 4, ["b"] = 8, ["c"] = 0 });
        Assert.Equal(4, chosen.ForLayer("a")!.Bits);
        var int8 = chosen.ForLayer("b")!;
        Assert.Equal((8, QuantizationGrid.PerChannel, true), (int8.Bits, int8.GroupSize, int8.Symmetric));
        Assert.Null(chosen.ForLayer("c"));
    }

    /// <summary>QuantSymmetric given applies to both levels; left out, int4 is asymmetric and int8 symmetric. The key tells the two apart.</summary>
    [Fact]
    public void The_cache_key_holds_both_levels_symmetry()
    {
        var defaults = Parse(new RawSettings { Quantize = "auto", EvaluationData = "eval.npz" });
        var asymmetric = Parse(new RawSettings { Quantize = "auto", EvaluationData = "eval.npz", QuantSymmetric = "false" });

        Assert.Contains("quantSymmetric=False/True", defaults.CanonicalText);
        Assert.Contains("quantSymmetric=False/False", asymmetric.CanonicalText);
        Assert.Contains("quantize=auto", defaults.CanonicalText);
        Assert.Contains("sparsity=0.5", defaults.CanonicalText);
        Assert.Contains("searchBudget=24", defaults.CanonicalText);
    }

    private static PruneSettings Parse(RawSettings raw) => PruneSettingsParser.Parse(raw, "m.onnx");
}
