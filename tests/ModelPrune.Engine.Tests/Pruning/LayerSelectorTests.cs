using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Tests.Pruning;

public sealed class LayerSelectorTests
{
    [Fact]
    public void Globs_match_whole_weight_or_node_names_and_exclude_wins()
    {
        var selector = LayerSelector.Create(new[] { "encoder.*" }, new[] { "*.layer.0.*", "head" }, "m.onnx");

        Assert.True(selector.IsSelected("encoder.layer.1.weight", Array.Empty<string>()));
        Assert.False(selector.IsSelected("encoder.layer.0.weight", Array.Empty<string>()));
        Assert.False(selector.IsSelected("decoder.weight", Array.Empty<string>()));
        Assert.False(selector.IsSelected("w7", new[] { "head" }));
    }

    [Fact]
    public void Regex_patterns_search_anywhere_and_unmatched_patterns_are_listed()
    {
        var selector = LayerSelector.Create(Array.Empty<string>(), new[] { @"regex:layer\.[0-1]\.", "nothing*" }, "m.onnx");

        Assert.False(selector.IsSelected("encoder.layer.1.dense", Array.Empty<string>()));
        Assert.True(selector.IsSelected("encoder.layer.2.dense", Array.Empty<string>()));
        Assert.Equal(new[] { (LayerSelector.ExcludeSetting, "nothing*") }, selector.Unmatched().ToArray());
    }

    [Fact]
    public void Invalid_regex_is_a_coded_error_naming_the_pattern()
    {
        var e = Assert.Throws<ModelPruneException>(() => LayerSelector.Create(new[] { "regex:([" }, Array.Empty<string>(), "m.onnx"));

        Assert.Equal(DiagnosticCodes.InvalidSelector, e.Diagnostic.Code);
        Assert.Contains("([", e.Message);
    }

    [Fact]
    public void Lists_split_on_semicolons_and_trim()
    {
        Assert.Equal(new[] { "a*", "b" }, LayerSelector.SplitList(" a* ; b ;"));
        Assert.Empty(LayerSelector.SplitList("  "));
    }
}
