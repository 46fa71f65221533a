using System.Text.Json;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>Wanda and SparseGPT end to end on the trained sample classifier, calibrated on its own data.</summary>
public sealed class CalibratedPruneTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly string _calibration;

    public CalibratedPruneTests()
    {
        _model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSample());
        var (pixels, _) = FixtureModels.ClassifierSampleData(256, seed: 11);
        _calibration = _folder.File("calibration.npy");
        NumpyFiles.WriteNpy(_calibration, NpyTestArray.Float32(pixels, 256, 64));
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("unstructured")]
    [InlineData("2:4")]
    public void Sparsegpt_reconstructs_each_layer_better_than_wanda_and_both_reach_the_sparsity(string pattern)
    {
        var wanda = Prune("wanda", pattern);
        var sparseGpt = Prune("sparsegpt", pattern);

        foreach (var name in new[] { "fc1.weight", "fc2.weight", "fc3.weight" })
        {
            var w = Layer(wanda, name);
            var s = Layer(sparseGpt, name);
            Assert.Equal("pruned", w.GetProperty("status").GetString());
            Assert.Equal(0.5, w.GetProperty("sparsity").GetDouble(), 2);
            Assert.Equal(0.5, s.GetProperty("sparsity").GetDouble(), 2);
            Assert.True(s.GetProperty("reconstructionError").GetDouble() < w.GetProperty("reconstructionError").GetDouble(),
                $"{name}: sparsegpt {s.GetProperty("reconstructionError")} vs wanda {w.GetProperty("reconstructionError")}");
            Assert.True(s.GetProperty("dampening").GetDouble() > 0);
            Assert.True(s.GetProperty("heldOutError").GetDouble() > 0);
            Assert.True(w.GetProperty("heldOutError").GetDouble() > 0);
            Assert.False(w.TryGetProperty("dampening", out _));
        }

        var calibration = sparseGpt.GetProperty("settings").GetProperty("calibration");
        Assert.Equal(102, calibration.GetProperty("samples").GetInt32());
        Assert.Equal(26, calibration.GetProperty("heldOutSamples").GetInt32());
        Assert.False(calibration.GetProperty("synthetic").GetBoolean());
    }

    [Theory]
    [InlineData("wanda")]
    [InlineData("sparsegpt")]
    public void Owl_spreads_sparsity_over_layers_within_lambda_and_keeps_the_total(string method)
    {
        var output = _folder.File($"owl-{method}/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", method, "--allocation", "owl", "--sparsity", "0.6",
            "--calibration", _calibration, "-o", output, "--no-cache");
        Assert.True(exitCode == 0, text);

        var report = JsonDocument.Parse(File.ReadAllBytes(_folder.File($"owl-{method}/classifier.prune.json"))).RootElement;
        var layers = report.GetProperty("layers").EnumerateArray().ToArray();
        var sparsities = layers.Select(l => l.GetProperty("sparsity").GetDouble()).ToArray();
        Assert.Equal("owl", report.GetProperty("settings").GetProperty("allocation").GetString());
        Assert.All(sparsities, s => Assert.InRange(s, 0.6 - 0.08 - 0.005, 0.6 + 0.08 + 0.005));
        Assert.True(sparsities.Max() - sparsities.Min() > 0.01, "OWL gave every layer the same sparsity: " + string.Join(", ", sparsities));
        Assert.InRange(report.GetProperty("totals").GetProperty("prunableSparsity").GetDouble(), 0.599, 0.601);
    }

    [Theory]
    [InlineData("magnitude", "owl", "unstructured")]
    [InlineData("wanda", "owl", "2:4")]
    [InlineData("wanda", "global", "2:4")]
    [InlineData("magnitude", "global", "unstructured")]
    [InlineData("wanda", "fancy", "unstructured")]
    public void Allocations_that_do_not_apply_are_coded_errors(string method, string allocation, string pattern)
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", method, "--allocation", allocation, "--pattern", pattern,
            "--calibration", _calibration, "-o", _folder.File("bad/classifier.onnx"), "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{_model}: error MP1045", text);
    }

    [Theory]
    [InlineData("wanda")]
    [InlineData("sparsegpt")]
    public void Global_allocation_meets_the_total_and_keeps_every_layer_within_its_floor_and_ceiling(string method)
    {
        var output = _folder.File($"global-{method}/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", method, "--allocation", "global", "--sparsity", "0.6",
            "--min-layer-sparsity", "0.3", "--max-layer-sparsity", "0.8", "--calibration", _calibration, "-o", output, "--no-cache");
        Assert.True(exitCode == 0, text);

        var report = JsonDocument.Parse(File.ReadAllBytes(_folder.File($"global-{method}/classifier.prune.json"))).RootElement;
        var settings = report.GetProperty("settings");
        Assert.Equal("global", settings.GetProperty("allocation").GetString());
        Assert.Equal(0.3, settings.GetProperty("minLayerSparsity").GetDouble());
        var sparsities = report.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("sparsity").GetDouble()).ToArray();
        Assert.All(sparsities, s => Assert.InRange(s, 0.3 - 0.005, 0.8 + 0.005));
        Assert.True(sparsities.Max() - sparsities.Min() > 0.05, "one threshold gave every layer the same sparsity: " + string.Join(", ", sparsities));
        Assert.InRange(report.GetProperty("totals").GetProperty("prunableSparsity").GetDouble(), 0.599, 0.601);
    }

    [Theory]
    [InlineData("wanda")]
    [InlineData("sparsegpt")]
    public void Sequential_mode_measures_later_layers_on_the_pruned_layers_outputs(string method)
    {
        var onePass = Prune(method, "unstructured");
        var output = _folder.File($"sequential-{method}/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", method, "--calibration-mode", "sequential",
            "--calibration", _calibration, "-o", output, "--no-cache");
        Assert.True(exitCode == 0, text);
        var sequential = JsonDocument.Parse(File.ReadAllBytes(_folder.File($"sequential-{method}/classifier.prune.json"))).RootElement;

        Assert.Equal("sequential", sequential.GetProperty("settings").GetProperty("calibration").GetProperty("mode").GetString());
        Assert.False(onePass.GetProperty("settings").GetProperty("calibration").TryGetProperty("mode", out _));
        var onePassWeights = Weights(_folder.File($"{method}-unstructured/classifier.onnx"));
        var sequentialWeights = Weights(output);
        // The first layer sees the model's own input either way; the next ones see what the pruned layers produce.
        Assert.Equal(onePassWeights["fc1.weight"], sequentialWeights["fc1.weight"]);
        Assert.NotEqual(onePassWeights["fc2.weight"], sequentialWeights["fc2.weight"]);
        Assert.NotEqual(Layer(onePass, "fc3.weight").GetProperty("reconstructionError").GetDouble(), Layer(sequential, "fc3.weight").GetProperty("reconstructionError").GetDouble());
        Assert.Equal(0.5, sequential.GetProperty("totals").GetProperty("prunableSparsity").GetDouble(), 2);
    }

    [Fact]
    public void The_models_are_compared_on_the_held_out_calibration_samples()
    {
        var report = Prune("wanda", "unstructured");

        var evaluation = report.GetProperty("evaluation");
        Assert.Equal("held-out calibration", evaluation.GetProperty("inputKind").GetString());
        var input = Assert.Single(evaluation.GetProperty("inputs").EnumerateArray());
        Assert.Equal(new long[] { 26, 64 }, input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal("held-out calibration samples 1–26", input.GetProperty("values").GetString());
        var markdown = File.ReadAllText(_folder.File("wanda-unstructured/classifier.prune.md"));
        Assert.Contains("Both models ran on the same held-out calibration samples.", markdown);
    }

    [Fact]
    public void Synthetic_calibration_data_is_not_used_as_evaluation_data()
    {
        var output = _folder.File("synthetic-eval/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", "wanda", "--calibration", "synthetic", "-o", output, "--no-cache");
        Assert.True(exitCode == 0, text);

        var report = JsonDocument.Parse(File.ReadAllBytes(_folder.File("synthetic-eval/classifier.prune.json"))).RootElement;
        Assert.Equal("synthetic", report.GetProperty("evaluation").GetProperty("inputKind").GetString());
    }

    [Fact]
    public void Calibration_data_with_nan_is_a_coded_error_and_writes_nothing()
    {
        var (pixels, _) = FixtureModels.ClassifierSampleData(16, seed: 13);
        pixels[70] = float.NaN;
        var poisoned = _folder.File("nan.npy");
        NumpyFiles.WriteNpy(poisoned, NpyTestArray.Float32(pixels, 16, 64));
        var output = _folder.File("nan/classifier.onnx");

        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", "sparsegpt", "--calibration", poisoned, "-o", output, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{_model}: error MP1049", text);
        Assert.Contains("'fc1.weight'", text);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void An_unknown_calibration_mode_is_a_coded_error()
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", "wanda", "--calibration-mode", "layerwise",
            "--calibration", _calibration, "-o", _folder.File("mode/classifier.onnx"), "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{_model}: error MP1048", text);
    }

    [Fact]
    public void A_floor_above_the_target_is_a_coded_error()
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", "wanda", "--allocation", "global", "--sparsity", "0.5",
            "--min-layer-sparsity", "0.6", "--calibration", _calibration, "-o", _folder.File("floor/classifier.onnx"), "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{_model}: error MP1047", text);
    }

    [Fact]
    public void Wanda_keeps_the_same_count_in_every_row()
    {
        Prune("wanda", "unstructured");

        var fc1 = PrunableWeightFinder.Find(OnnxModelReader.Read(_folder.File("wanda-unstructured/classifier.onnx"))).Single(w => w.Name == "fc1.weight");
        var W = fc1.Tensor.ReadValues();   // Gemm transB=1: [out=128, in=64]
        for (var row = 0; row < 128; row++)
        {
            Assert.Equal(32, W.Skip(row * 64).Take(64).Count(v => v == 0f));
        }
    }

    [Fact]
    public void A_calibrated_method_without_data_is_a_coded_error_and_synthetic_data_warns()
    {
        var missing = EngineCli.Run("prune", _model, "--method", "wanda", "-o", _folder.File("x/classifier.onnx"), "--no-cache");
        var synthetic = EngineCli.Run("prune", _model, "--method", "wanda", "--calibration", "synthetic", "-o", _folder.File("y/classifier.onnx"), "--no-cache");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"{_model}: error MP1040", missing.Output);
        Assert.Equal(0, synthetic.ExitCode);
        Assert.Contains("warning MP1042", synthetic.Output);
    }

    [Fact]
    public void Other_calibration_content_misses_the_cache()
    {
        var cache = _folder.File("cache");
        var (other, _) = FixtureModels.ClassifierSampleData(256, seed: 12);
        var otherCalibration = _folder.File("other.npy");
        NumpyFiles.WriteNpy(otherCalibration, NpyTestArray.Float32(other, 256, 64));

        EngineCli.Run("prune", _model, "--method", "wanda", "--calibration", _calibration, "-o", _folder.File("a/classifier.onnx"), "--cache-dir", cache);
        var same = EngineCli.Run("prune", _model, "--method", "wanda", "--calibration", _calibration, "-o", _folder.File("b/classifier.onnx"), "--cache-dir", cache);
        var changed = EngineCli.Run("prune", _model, "--method", "wanda", "--calibration", otherCalibration, "-o", _folder.File("c/classifier.onnx"), "--cache-dir", cache);

        Assert.Contains("from cache", same.Output);
        Assert.DoesNotContain("from cache", changed.Output);
    }

    private JsonElement Prune(string method, string pattern)
    {
        var folder = $"{method}-{pattern.Replace(":", "of", StringComparison.Ordinal)}";
        var output = _folder.File($"{folder}/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "--method", method, "--pattern", pattern, "--calibration", _calibration, "-o", output, "--no-cache");
        Assert.True(exitCode == 0, text);
        return JsonDocument.Parse(File.ReadAllBytes(_folder.File($"{folder}/classifier.prune.json"))).RootElement.Clone();
    }

    private static Dictionary<string, float[]> Weights(string model) =>
        PrunableWeightFinder.Find(OnnxModelReader.Read(model)).ToDictionary(w => w.Name, w => w.Tensor.ReadValues());

    private static JsonElement Layer(JsonElement report, string name) =>
        report.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);
}
