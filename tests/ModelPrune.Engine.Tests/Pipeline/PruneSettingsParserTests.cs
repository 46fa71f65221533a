using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Pruning;

namespace ModelPrune.Engine.Tests.Pipeline;

public sealed class PruneSettingsParserTests
{
    [Fact]
    public void Defaults_are_per_layer_magnitude_at_half_sparsity()
    {
        var settings = PruneSettingsParser.Parse(new RawSettings(), "m.onnx");

        Assert.Equal(PruningMethod.Magnitude, settings.Method);
        Assert.Equal(0.5, settings.Sparsity);
        Assert.False(settings.Pattern.IsNM);
        Assert.Equal(0.95, settings.MaxLayerSparsity);
        Assert.Equal(42, settings.Seed);
    }

    [Fact]
    public void An_NM_pattern_implies_its_sparsity_and_accepts_the_same_value()
    {
        Assert.Equal(0.5, PruneSettingsParser.Parse(new RawSettings(Pattern: "2:4"), "m.onnx").Sparsity);
        Assert.Equal(0.75, PruneSettingsParser.Parse(new RawSettings(Pattern: " 6 : 8 "), "m.onnx").Sparsity);
        Assert.Equal(0.5, PruneSettingsParser.Parse(new RawSettings(Sparsity: "0.5", Pattern: "2:4"), "m.onnx").Sparsity);
    }

    [Theory]
    [InlineData("abc", null, null, null, null, "MP1003")]
    [InlineData("1", null, null, null, null, "MP1003")]
    [InlineData("-0.1", null, null, null, null, "MP1003")]
    [InlineData("0,5", null, null, null, null, "MP1003")]
    [InlineData(null, "wanda-ish", null, null, null, "MP1004")]
    [InlineData(null, null, "4:2", null, null, "MP1005")]
    [InlineData(null, null, "2-4", null, null, "MP1005")]
    [InlineData(null, null, "0:4", null, null, "MP1005")]
    [InlineData("0.4", null, "2:4", null, null, "MP1006")]
    [InlineData("0.6", null, null, "0.5", null, "MP1012")]
    [InlineData(null, "global-magnitude", "2:4", null, null, "MP1016")]
    [InlineData(null, null, null, null, "x", "MP1021")]
    public void Bad_settings_are_coded_errors_naming_the_file(string? sparsity, string? method, string? pattern, string? maxLayer, string? seed, string code)
    {
        var raw = new RawSettings(Sparsity: sparsity, Method: method, Pattern: pattern, MaxLayerSparsity: maxLayer, Seed: seed);

        var e = Assert.Throws<ModelPruneException>(() => PruneSettingsParser.Parse(raw, "/models/m.onnx"));

        Assert.Equal(code, e.Diagnostic.Code);
        Assert.Equal("/models/m.onnx", e.Diagnostic.File);
        Assert.StartsWith($"/models/m.onnx: error {code}: ", e.Diagnostic.ToString());
    }

    [Fact]
    public void Every_setting_changes_the_canonical_text_that_keys_the_cache()
    {
        var variants = new[]
        {
            new RawSettings(),
            new RawSettings(Sparsity: "0.4"),
            new RawSettings(Method: "global-magnitude"),
            new RawSettings(Pattern: "2:4"),
            new RawSettings(MaxLayerSparsity: "0.97"),
            new RawSettings(Include: "a*"),
            new RawSettings(Exclude: "b*"),
            new RawSettings(Seed: "7"),
            new RawSettings(Dimensions: "batch=2"),
        };

        var texts = variants.Select(v => PruneSettingsParser.Parse(v, "m.onnx").CanonicalText).ToArray();

        Assert.Equal(texts.Length, texts.Distinct().Count());
        Assert.Equal(texts[0], PruneSettingsParser.Parse(new RawSettings(Sparsity: " 0.50 ", Method: "Magnitude"), "m.onnx").CanonicalText);
    }

    [Fact]
    public void Calibration_settings_matter_only_to_the_methods_that_read_calibration_data()
    {
        var magnitude = PruneSettingsParser.Parse(new RawSettings(CalibrationData: "data.npz", CalibrationSamples: "64"), "m.onnx");
        var wanda = PruneSettingsParser.Parse(new RawSettings(Method: "wanda", CalibrationData: "data.npz", CalibrationSamples: "64"), "m.onnx");
        var badSamples = Assert.Throws<ModelPruneException>(() =>
            PruneSettingsParser.Parse(new RawSettings(Method: "sparsegpt", CalibrationData: "data.npz", CalibrationSamples: "0"), "m.onnx"));

        Assert.Null(magnitude.CalibrationData);
        Assert.Equal(PruneSettingsParser.Parse(new RawSettings(), "m.onnx").CanonicalText, magnitude.CanonicalText);
        Assert.Equal("data.npz", wanda.CalibrationData);
        Assert.Equal(64, wanda.CalibrationSamples);
        Assert.Equal(DiagnosticCodes.InvalidCalibrationSamples, badSamples.Diagnostic.Code);
    }

    [Theory]
    [InlineData(null, RequestedDevice.Auto)]
    [InlineData("", RequestedDevice.Auto)]
    [InlineData(" Auto ", RequestedDevice.Auto)]
    [InlineData("cpu", RequestedDevice.Cpu)]
    [InlineData("CUDA", RequestedDevice.Cuda)]
    public void Device_is_auto_cpu_or_cuda_in_any_case(string? text, RequestedDevice expected)
    {
        Assert.Equal(expected, PruneSettingsParser.Parse(new RawSettings(Device: text), "m.onnx").Device);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:0")]
    public void An_unknown_device_is_an_input_error_naming_the_file(string text)
    {
        var e = Assert.Throws<ModelPruneException>(() => PruneSettingsParser.Parse(new RawSettings(Device: text), "/models/m.onnx"));

        Assert.Equal(DiagnosticCodes.InvalidDevice, e.Diagnostic.Code);
        Assert.StartsWith($"/models/m.onnx: error MP1046: Device '{text}' is not known.", e.Diagnostic.ToString());
    }

    /// <summary>The key holds the device that ran (ModelPipeline adds it), so the requested one stays out of the settings text.</summary>
    [Fact]
    public void The_requested_device_does_not_change_the_canonical_text()
    {
        Assert.Equal(
            PruneSettingsParser.Parse(new RawSettings(Device: "auto"), "m.onnx").CanonicalText,
            PruneSettingsParser.Parse(new RawSettings(Device: "cpu"), "m.onnx").CanonicalText);
    }
}
