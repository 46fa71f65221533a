using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class DimensionOverrideParserTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_text_gives_no_overrides(string? text) => Assert.Empty(DimensionOverrideParser.Parse(text, "m.onnx"));

    [Fact]
    public void Parses_semicolon_and_comma_separated_pairs()
    {
        var result = DimensionOverrideParser.Parse(" batch = 4 ;sequence=32, input_ids:1=64;", "m.onnx");

        Assert.Equal(3, result.Count);
        Assert.Equal(4, result["batch"]);
        Assert.Equal(32, result["sequence"]);
        Assert.Equal(64, result["input_ids:1"]);
    }

    [Fact]
    public void Input_names_may_contain_colons()
    {
        var result = DimensionOverrideParser.Parse("input_1:0:1=8", "m.onnx");

        Assert.Equal(8, result["input_1:0:1"]);
    }

    [Theory]
    [InlineData("batch", "batch")]
    [InlineData("batch=0", "batch=0")]
    [InlineData("batch=-2", "batch=-2")]
    [InlineData("batch=2.5", "batch=2.5")]
    [InlineData("batch=four", "batch=four")]
    [InlineData("=4", "=4")]
    [InlineData("a=1=2", "a=1=2")]
    [InlineData("x:one=3", "x:one=3")]
    [InlineData("batch=1;batch=2", "batch=2")]
    [InlineData("batch=99999999999999999999", "batch=99999999999999999999")]
    public void Bad_part_is_MP1013_naming_the_part(string text, string badPart)
    {
        var error = Assert.Throws<ModelPruneException>(() => DimensionOverrideParser.Parse(text, "Models/m.onnx"));

        Assert.Equal(DiagnosticCodes.InvalidDimensionOverride, error.Diagnostic.Code);
        Assert.Equal("Models/m.onnx", error.Diagnostic.File);
        Assert.Contains($"'{badPart}'", error.Message);
    }
}
