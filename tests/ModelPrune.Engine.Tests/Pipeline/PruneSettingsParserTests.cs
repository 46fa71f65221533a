using ModelPrune.Engine.Calibration;
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
        Assert.Equal(0.5, PruneSettingsParser.Parse(new RawSettings { Pattern = "2:4" }, "m.onnx").Sparsity);
        Assert.Equal(0.75, PruneSettingsParser.Parse(new RawSettings { Pattern = " 6 : 8 " }, "m.onnx").Sparsity);
        Assert.Equal(0.5, PruneSettingsParser.Parse(new RawSettings { Sparsity = "0.5", Pattern = "2:4" }, "m.onnx").Sparsity);
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
        var raw = new RawSettings { Sparsity = sparsity, Method = method, Pattern = pattern, MaxLayerSparsity = maxLayer, Seed = seed };

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
            new RawSettings { Sparsity = "0.4" },
            new RawSettings { Method = "global-magnitude" },
            new RawSettings { Pattern = "2:4" },
            new RawSettings { MaxLayerSparsity = "0.97" },
            new RawSettings { IncludeLayers = "a*" },
            new RawSettings { ExcludeLayers = "b*" },
            new RawSettings { Seed = "7" },
            new RawSettings { Dimensions = "batch=2" },
        };

        var texts = variants.Select(v => PruneSettingsParser.Parse(v, "m.onnx").CanonicalText).ToArray();

        Assert.Equal(texts.Length, texts.Distinct().Count());
        Assert.Equal(texts[0], PruneSettingsParser.Parse(new RawSettings { Sparsity = " 0.50 ", Method = "Magnitude" }, "m.onnx").CanonicalText);
    }

    [Fact]
    public void Calibration_settings_matter_only_to_the_methods_that_read_calibration_data()
    {
        var magnitude = PruneSettingsParser.Parse(new RawSettings { CalibrationData = "data.npz", CalibrationSamples = "64" }, "m.onnx");
        var wanda = PruneSettingsParser.Parse(new RawSettings { Method = "wanda", CalibrationData = "data.npz", CalibrationSamples = "64" }, "m.onnx");
        var badSamples = Assert.Throws<ModelPruneException>(() =>
            PruneSettingsParser.Parse(new RawSettings { Method = "sparsegpt", CalibrationData = "data.npz", CalibrationSamples = "0" }, "m.onnx"));

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
    public void Device_is_auto_cpu_or_cuda_in_any_case(string? text, object expected)
    {
        Assert.Equal((RequestedDevice)expected, PruneSettingsParser.Parse(new RawSettings { Device = text }, "m.onnx").Device);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:0")]
    public void An_unknown_device_is_an_input_error_naming_the_file(string text)
    {
        var e = Assert.Throws<ModelPruneException>(() => PruneSettingsParser.Parse(new RawSettings { Device = text }, "/models/m.onnx"));

        Assert.Equal(DiagnosticCodes.InvalidDevice, e.Diagnostic.Code);
        Assert.StartsWith($"/models/m.onnx: error MP1046: Device '{text}' is not known.", e.Diagnostic.ToString());
    }

    /// <summary>The key holds the device that ran (ModelPipeline adds it), so the requested one stays out of the settings text.</summary>
    [Fact]
    public void The_requested_device_does_not_change_the_canonical_text()
    {
        Assert.Equal(
            PruneSettingsParser.Parse(new RawSettings { Device = "auto" }, "m.onnx").CanonicalText,
            PruneSettingsParser.Parse(new RawSettings { Device = "cpu" }, "m.onnx").CanonicalText);
    }

    [Theory]
    [InlineData("neurons", null, null, null, PruningMethod.MagnitudeL2, UnitStructure.Neurons, LayerAllocation.Uniform)]
    [InlineData(" Heads ", "", null, null, PruningMethod.MagnitudeL2, UnitStructure.Heads, LayerAllocation.Uniform)]
    [InlineData("filters", "maw", null, null, PruningMethod.Maw, UnitStructure.Filters, LayerAllocation.Uniform)]
    [InlineData("auto", "magnitude-l2", "global", null, PruningMethod.MagnitudeL2, UnitStructure.Auto, LayerAllocation.Global)]
    [InlineData(null, "maw", null, null, PruningMethod.Maw, UnitStructure.Auto, LayerAllocation.Uniform)]
    [InlineData(null, "MAGNITUDE-L2", "Uniform", null, PruningMethod.MagnitudeL2, UnitStructure.Auto, LayerAllocation.Uniform)]
    [InlineData(null, "flap", null, "calib.npz", PruningMethod.Flap, UnitStructure.Auto, LayerAllocation.Global)]
    [InlineData("neurons", "flap", null, "calib.npz", PruningMethod.Flap, UnitStructure.Neurons, LayerAllocation.Global)]
    [InlineData("heads", "flap", "uniform", "synthetic", PruningMethod.Flap, UnitStructure.Heads, LayerAllocation.Uniform)]
    [InlineData("none", "magnitude", null, null, PruningMethod.Magnitude, UnitStructure.None, LayerAllocation.Uniform)]
    [InlineData("unstructured", "wanda", "owl", "calib.npz", PruningMethod.Wanda, UnitStructure.None, LayerAllocation.Owl)]
    public void Structure_and_structured_methods_default_each_other_and_the_allocation(
        string? structure, string? method, string? allocation, string? calibration, object methodValue, object structureValue, object allocationValue)
    {
        // Enum values as object: the engine's types are internal, and xunit's test methods are public.
        var (expectedMethod, expectedStructure, expectedAllocation) = ((PruningMethod)methodValue, (UnitStructure)structureValue, (LayerAllocation)allocationValue);
        var settings = PruneSettingsParser.Parse(new RawSettings { Structure = structure, Method = method, Allocation = allocation, CalibrationData = calibration }, "m.onnx");

        Assert.Equal(expectedMethod, settings.Method);
        Assert.Equal(expectedStructure, settings.Structure);
        Assert.Equal(expectedAllocation, settings.Allocation);
        Assert.Equal(expectedStructure != UnitStructure.None, settings.IsStructured);
        Assert.Equal(PruneSettings.DefaultMinUnitsPerLayer, settings.MinUnitsPerLayer);
        Assert.Equal(1, settings.UnitMultiple);
    }

    [Fact]
    public void Unit_counts_are_positive_whole_numbers_and_flap_keeps_its_calibration_settings()
    {
        var settings = PruneSettingsParser.Parse(
            new RawSettings { Sparsity = "0.3", Method = "flap", CalibrationData = " calib.npz ", CalibrationSamples = "32", CalibrationMode = "One-Pass",
                Structure = "neurons", MinUnitsPerLayer = " 4 ", UnitMultiple = "8" },
            "m.onnx");

        Assert.Equal(0.3, settings.Sparsity);
        Assert.Equal(4, settings.MinUnitsPerLayer);
        Assert.Equal(8, settings.UnitMultiple);
        Assert.Equal("calib.npz", settings.CalibrationData);
        Assert.Equal(32, settings.CalibrationSamples);
        Assert.Equal(CalibrationMode.OnePass, settings.CalibrationMode);
        Assert.Equal("neurons", settings.StructureName);
    }

    [Theory]
    [InlineData("bogus", null, null, null, null, null, null, null, "MP1080")]
    [InlineData("channels", "magnitude-l2", null, null, null, null, null, null, "MP1080")]
    [InlineData("neurons", "wanda", null, null, null, null, null, null, "MP1081")]
    [InlineData("neurons", "wanda", null, "calib.npz", null, null, null, null, "MP1081")]
    [InlineData("heads", "magnitude", null, null, null, null, null, null, "MP1081")]
    [InlineData("auto", "global-magnitude", null, null, null, null, null, null, "MP1081")]
    [InlineData("filters", "sparsegpt", null, "calib.npz", null, null, null, null, "MP1081")]
    [InlineData("neurons", null, "2:4", null, null, null, null, null, "MP1016")]
    [InlineData(null, "maw", "2:4", null, null, null, null, null, "MP1016")]
    [InlineData(null, "flap", "4:8", "calib.npz", null, null, null, null, "MP1016")]
    [InlineData(null, "flap", null, "calib.npz", "sequential", null, null, null, "MP1048")]
    [InlineData("neurons", "magnitude-l2", null, null, "sequential", null, null, null, "MP1048")]
    [InlineData(null, "flap", null, null, null, null, null, null, "MP1040")]
    [InlineData("neurons", "flap", null, null, null, null, null, null, "MP1040")]
    [InlineData("neurons", null, null, null, null, "owl", null, null, "MP1045")]
    [InlineData(null, "flap", null, "calib.npz", null, "owl", null, null, "MP1045")]
    [InlineData("neurons", null, null, null, null, null, "0", null, "MP1082")]
    [InlineData("neurons", null, null, null, null, null, "-1", null, "MP1082")]
    [InlineData("neurons", null, null, null, null, null, "1.5", null, "MP1082")]
    [InlineData(null, "maw", null, null, null, null, "two", null, "MP1082")]
    [InlineData("neurons", null, null, null, null, null, null, "0", "MP1083")]
    [InlineData("heads", null, null, null, null, null, null, "8x", "MP1083")]
    [InlineData(null, "magnitude-l2", null, null, null, null, null, "+8", "MP1083")]
    public void Bad_structured_settings_are_coded_errors_naming_the_file(
        string? structure, string? method, string? pattern, string? calibration, string? calibrationMode, string? allocation, string? minUnits, string? unitMultiple, string code)
    {
        var raw = new RawSettings { Method = method, Pattern = pattern, CalibrationData = calibration, CalibrationMode = calibrationMode, Allocation = allocation,
            Structure = structure, MinUnitsPerLayer = minUnits, UnitMultiple = unitMultiple };

        var e = Assert.Throws<ModelPruneException>(() => PruneSettingsParser.Parse(raw, "/models/m.onnx"));

        Assert.Equal(code, e.Diagnostic.Code);
        Assert.Equal("/models/m.onnx", e.Diagnostic.File);
        Assert.StartsWith($"/models/m.onnx: error {code}: ", e.Diagnostic.ToString());
    }

    [Fact]
    public void An_unknown_structure_lists_the_known_ones()
    {
        var e = Assert.Throws<ModelPruneException>(() => PruneSettingsParser.Parse(new RawSettings { Structure = "bogus" }, "m.onnx"));

        Assert.Equal(DiagnosticCodes.InvalidStructure, e.Diagnostic.Code);
        Assert.Contains("'bogus'", e.Diagnostic.Message);
        Assert.Contains("none, auto, neurons, heads, filters", e.Diagnostic.Message);
    }

    /// <summary>Earlier unstructured cache keys must stay valid: the new fields add nothing to an unstructured run's text.</summary>
    [Theory]
    [InlineData(null, null)]
    [InlineData("wanda", "calib.npz")]
    [InlineData("global-magnitude", null)]
    public void Unstructured_canonical_text_is_unchanged_by_the_structured_fields(string? method, string? calibration)
    {
        var plain = PruneSettingsParser.Parse(new RawSettings { Method = method, CalibrationData = calibration }, "m.onnx").CanonicalText;

        foreach (var structure in new string?[] { null, "", "none", "unstructured" })
        {
            var withFields = PruneSettingsParser.Parse(
                new RawSettings { Method = method, CalibrationData = calibration, Structure = structure, MinUnitsPerLayer = "3", UnitMultiple = "8" }, "m.onnx");
            Assert.Equal(plain, withFields.CanonicalText);
        }

        Assert.DoesNotContain("structure=", plain);
        Assert.DoesNotContain("unitMultiple=", plain);
        Assert.EndsWith("\nquantizeEmbeddings=\nquantizeActivations=", plain);
    }

    [Fact]
    public void Structured_canonical_text_differs_by_structure_method_and_unit_counts()
    {
        var variants = new[]
        {
            new RawSettings(),
            new RawSettings { Method = "magnitude-l2" },
            new RawSettings { Structure = "neurons" },
            new RawSettings { Structure = "heads" },
            new RawSettings { Structure = "filters" },
            new RawSettings { Structure = "neurons", Method = "maw" },
            new RawSettings { Structure = "neurons", Method = "flap", CalibrationData = "calib.npz" },
            new RawSettings { Structure = "neurons", Allocation = "global" },
            new RawSettings { Structure = "neurons", MinUnitsPerLayer = "4" },
            new RawSettings { Structure = "neurons", UnitMultiple = "8" },
        };

        var texts = variants.Select(v => PruneSettingsParser.Parse(v, "m.onnx").CanonicalText).ToArray();

        Assert.Equal(texts.Length, texts.Distinct().Count());
        Assert.Contains("\nstructure=neurons\nminUnitsPerLayer=1\nunitMultiple=1", texts[2]);
        // The structured method alone means Structure="auto"; spelling it out keys the same result.
        Assert.Equal(texts[1], PruneSettingsParser.Parse(new RawSettings { Method = "magnitude-l2", Structure = "Auto" }, "m.onnx").CanonicalText);
        // Structure alone means magnitude-l2.
        Assert.Equal(texts[2], PruneSettingsParser.Parse(new RawSettings { Method = "magnitude-l2", Structure = "neurons", MinUnitsPerLayer = "1" }, "m.onnx").CanonicalText);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(" Auto ", null)]
    [InlineData(" false ", false)]
    [InlineData("True", true)]
    public void Measure_latency_defaults_to_auto_and_reads_either_boolean(string? text, bool? expected)
    {
        Assert.Equal(expected, PruneSettingsParser.Parse(new RawSettings { MeasureLatency = text }, "m.onnx").MeasureLatency);
    }

    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData(null, "neurons", null, true)]
    [InlineData(null, null, "int8", true)]
    [InlineData("true", null, null, true)]
    [InlineData("false", "neurons", "int8", false)]
    public void Auto_latency_times_the_models_only_when_structure_or_quantization_changes_what_runs(string? measure, string? structure, string? quantize, bool timed)
    {
        var settings = PruneSettingsParser.Parse(new RawSettings { MeasureLatency = measure, Structure = structure, Quantize = quantize }, "m.onnx");

        Assert.Equal(timed, settings.TimesLatency);
    }

    [Fact]
    public void Measure_latency_that_is_not_a_boolean_is_MP1087_naming_both_spellings()
    {
        var error = Assert.Throws<ModelPruneException>(() => PruneSettingsParser.Parse(new RawSettings { MeasureLatency = "sometimes" }, "m.onnx"));

        Assert.Equal("MP1087", error.Diagnostic.Code);
        Assert.Contains("MeasureLatency (--measure-latency) 'sometimes'", error.Diagnostic.Message);
        Assert.Contains("\"auto\"", error.Diagnostic.Message);
    }
}
