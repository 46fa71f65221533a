using System.Text.Json;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Search;

/// <summary>
/// Quantize="auto" on the trained sample classifier written with MatMuls (so int4 is MatMulNBits and differs from
/// int8), with its 200 labelled held-out digits: real quantizations and ONNX Runtime evaluations. Round to nearest,
/// symmetric, blocks of 64 is the setting where int4 costs this model a sample and int8 does not, so the search has
/// something to give back.
/// </summary>
public sealed class QuantizationSearchTests : IDisposable
{
    private static readonly string[] CoarseInt4 = { "--sparsity", "0", "--quant-method", "rtn", "--quant-symmetric", "true", "--quant-group-size", "64", "--max-metric-drop", "0" };

    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly string _evaluation;
    private readonly string _calibration;

    public QuantizationSearchTests()
    {
        _model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSampleMatMul());
        _evaluation = _folder.File("classifier.eval.npz");
        FixtureModels.WriteClassifierEvaluationData(_evaluation, 200);
        _calibration = _folder.File("calibration.npy");
        var (pixels, _) = FixtureModels.ClassifierSampleData(64, seed: 11);
        NumpyFiles.WriteNpy(_calibration, NpyTestArray.Float32(pixels, 64, 64));
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Where_int4_breaks_the_target_and_int8_keeps_it_the_most_sensitive_layer_gets_int8_and_the_rest_stay_int4()
    {
        var report = Prune("auto/classifier.onnx", CoarseInt4);
        var search = report.GetProperty("search");
        var trace = search.GetProperty("trace").EnumerateArray().ToArray();
        var output = report.GetProperty("evaluation").GetProperty("outputs")[0];
        var restored = Strings(search.GetProperty("restoredLayers"));
        var bits = LayerBits(report);

        Assert.Equal("quantize", search.GetProperty("knob").GetString());
        Assert.Equal(new[] { "all=int4" }, Strings(trace[0].GetProperty("layers")));
        Assert.False(trace[0].GetProperty("keepsTarget").GetBoolean());
        Assert.Equal(new[] { "all=int8" }, Strings(trace[1].GetProperty("layers")));
        Assert.True(trace[1].GetProperty("keepsTarget").GetBoolean());
        // Three layers fit the budget: each was measured on the real metric, the most sensitive first.
        var sensitivity = search.GetProperty("sensitivity").EnumerateArray().ToArray();
        Assert.Equal(3, sensitivity.Length);
        Assert.Equal(sensitivity.Select(s => s.GetProperty("worsening").GetDouble()).OrderByDescending(w => w), sensitivity.Select(s => s.GetProperty("worsening").GetDouble()));
        Assert.Equal($"{sensitivity[0].GetProperty("layer").GetString()}=int8", Assert.Single(restored));

        // The model written is the choice: the restored layer in int8, the others in int4, and it keeps the target.
        Assert.Equal(3, bits.Count);
        Assert.All(bits, b => Assert.Equal(restored.Contains($"{b.Key}=int8") ? 8 : 4, b.Value));
        Assert.True(output.GetProperty("accuracyOriginal").GetDouble() - output.GetProperty("accuracyPruned").GetDouble() <= 1e-12);
        var chosenBytes = report.GetProperty("output").GetProperty("bytes").GetInt64();
        Assert.InRange(chosenBytes, trace[0].GetProperty("bytes").GetInt64() + 1, trace[1].GetProperty("bytes").GetInt64() - 1);
        Assert.Equal("auto", report.GetProperty("quantization").GetProperty("quantize").GetString());
    }

    /// <summary>Each probe is the model a fixed build ships: the uniform int4 probe is Quantize="int4", byte for byte in size and the same accuracy.</summary>
    [Fact]
    public void The_uniform_probes_report_what_fixed_int4_and_int8_builds_give()
    {
        var trace = Prune("auto/classifier.onnx", CoarseInt4).GetProperty("search").GetProperty("trace");
        var int4 = Prune("int4/classifier.onnx", CoarseInt4.Concat(new[] { "--quantize", "int4" }).ToArray(), quantize: false);
        var int8 = Prune("int8/classifier.onnx", new[] { "--sparsity", "0", "--quant-method", "rtn", "--quantize", "int8" }, quantize: false);

        Assert.Equal(int4.GetProperty("output").GetProperty("bytes").GetInt64(), trace[0].GetProperty("bytes").GetInt64());
        Assert.Equal(int4.GetProperty("evaluation").GetProperty("outputs")[0].GetProperty("accuracyPruned").GetDouble(), trace[0].GetProperty("metric").GetDouble());
        Assert.Equal(int8.GetProperty("output").GetProperty("bytes").GetInt64(), trace[1].GetProperty("bytes").GetInt64());
        Assert.Equal(int8.GetProperty("evaluation").GetProperty("outputs")[0].GetProperty("accuracyPruned").GetDouble(), trace[1].GetProperty("metric").GetDouble());
    }

    /// <summary>
    /// With too small a budget for a probe per layer, the layers' own output errors at int4 (measured in the uniform
    /// probe on calibration inputs) rank them instead; on this model the proxy ranks them as the real metric does,
    /// and the search reaches the same choice in fewer probes, with one statistics pass for all of them.
    /// </summary>
    [Fact]
    public void A_budget_too_small_to_probe_every_layer_ranks_by_quantization_error_which_agrees_with_the_metric_here()
    {
        var measured = Prune("measured/classifier.onnx", CoarseInt4.Concat(new[] { "--calibration-data", _calibration }).ToArray()).GetProperty("search");
        var proxy = Prune("proxy/classifier.onnx", CoarseInt4.Concat(new[] { "--calibration-data", _calibration, "--search-budget", "4" }).ToArray()).GetProperty("search");

        var measuredRanking = measured.GetProperty("sensitivity").EnumerateArray().Select(s => s.GetProperty("layer").GetString()).ToArray();
        var proxyRanking = proxy.GetProperty("sensitivity").EnumerateArray().ToArray();
        Assert.All(proxyRanking, s => Assert.False(s.TryGetProperty("metric", out _)));
        Assert.All(proxyRanking, s => Assert.True(s.GetProperty("quantizationError").GetDouble() > 0));
        Assert.Equal(measuredRanking, proxyRanking.Select(s => s.GetProperty("layer").GetString()));
        Assert.Equal(Strings(measured.GetProperty("restoredLayers")), Strings(proxy.GetProperty("restoredLayers")));
        Assert.True(proxy.GetProperty("probes").GetInt32() < measured.GetProperty("probes").GetInt32());
        Assert.DoesNotContain(proxy.GetProperty("trace").EnumerateArray(), p => p.GetProperty("phase").GetString() == "sensitivity");
        // Fit and held out, collected once on the unpruned model and reused by every probe and the final build.
        Assert.Equal(2, proxy.GetProperty("statisticsPasses").GetInt32());
    }

    [Fact]
    public void The_same_inputs_give_byte_identical_outputs_and_a_rebuild_comes_from_the_cache()
    {
        var cache = _folder.File("cache");
        string[] Options(string folder, params string[] extra) =>
            new[] { "prune", _model, "-o", _folder.File($"{folder}/classifier.onnx"), "--quantize", "auto", "--evaluation", _evaluation }.Concat(CoarseInt4).Concat(extra).ToArray();
        var first = EngineCli.Run(Options("a", "--cache-dir", cache));
        var second = EngineCli.Run(Options("b", "--cache-dir", cache));
        var fresh = EngineCli.Run(Options("c", "--no-cache"));

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("auto: 2 int4, 1 int8 layers", first.Output);
        Assert.Contains("from cache", second.Output);
        foreach (var file in new[] { "classifier.onnx", "classifier.prune.json", "classifier.prune.html", "classifier.prune.summary" })
        {
            Assert.Equal(File.ReadAllBytes(_folder.File($"a/{file}")), File.ReadAllBytes(_folder.File($"c/{file}")));
        }

        var markdown = File.ReadAllText(_folder.File("a/classifier.prune.md"));
        Assert.Contains("## Search (Quantize=\"auto\")", markdown);
        Assert.Contains("Layers given more precision than int4:", markdown);
    }

    /// <summary>At a sparsity that already costs more than the target allows, no precision helps: said, and the model is written unquantized.</summary>
    [Fact]
    public void When_the_pruning_alone_breaks_the_target_the_model_is_written_unquantized_with_warning_MP1104()
    {
        var path = _folder.File("pruned/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", path, "--quantize", "auto", "--sparsity", "0.6", "--max-metric-drop", "0", "--evaluation", _evaluation, "--no-cache");
        var report = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(path, ".prune.json"))).RootElement;
        var trace = report.GetProperty("search").GetProperty("trace").EnumerateArray().ToArray();

        Assert.True(exitCode == 0, text);
        Assert.Contains("MP1104", text);
        Assert.Contains("the pruning alone (Sparsity 0.6) breaks it", text);
        Assert.False(report.TryGetProperty("quantization", out _));
        Assert.Equal(new[] { "all=int4", "all=int8", "all=float" }, trace.Select(p => Strings(p.GetProperty("layers")).Single()));
        Assert.DoesNotContain(ModelFiles.Read(path).Graph.Node, n => n.OpType is "MatMulNBits" or "DequantizeLinear");
    }

    /// <summary>A Gemm's weight is int8 at opset 13 whatever is asked, so the classifier written with Gemm starts at int8.</summary>
    [Fact]
    public void A_model_without_MatMul_weights_starts_the_search_at_int8()
    {
        var gemm = ModelFiles.Write(_folder, "gemm_classifier.onnx", FixtureModels.ClassifierSample());
        var path = _folder.File("gemm-out/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", gemm, "-o", path, "--quantize", "auto", "--sparsity", "0", "--evaluation", _evaluation, "--no-cache");
        var search = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(path, ".prune.json"))).RootElement.GetProperty("search");

        Assert.True(exitCode == 0, text);
        Assert.Equal("all=int8", Strings(search.GetProperty("trace")[0].GetProperty("layers")).Single());
        Assert.Equal(1, search.GetProperty("probes").GetInt32());
        Assert.Contains("auto: 3 int8 layers", text);
    }

    [Theory]
    [InlineData("--sparsity", "auto", "MP1103")]
    [InlineData("--quantize-activations", "dynamic", "MP1103")]
    [InlineData("--sweep-sparsities", "0.3", "MP1103")]
    [InlineData("--structure", "neurons", "MP1103")]
    [InlineData("--search-budget", "3", "MP1101")]
    public void Settings_the_search_cannot_take_are_coded_errors(string option, string value, string code)
    {
        var path = _folder.File("x/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", path, "--quantize", "auto", "--evaluation", _evaluation, option, value, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains(code, text);
        if (code == "MP1103") Assert.Contains("Quantize=\"auto\" cannot be combined with", text);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Without_evaluation_samples_it_is_error_MP1100_naming_Quantize()
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("none/classifier.onnx"), "--quantize", "auto", "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("MP1100", text);
        Assert.Contains("Quantize=\"auto\"", text);
    }

    private JsonElement Prune(string output, string[] options, bool quantize = true)
    {
        var path = _folder.File(output);
        var extra = quantize ? new[] { "--quantize", "auto" } : Array.Empty<string>();
        var (exitCode, text) = EngineCli.Run(new[] { "prune", _model, "-o", path, "--no-cache", "--evaluation", _evaluation }.Concat(extra).Concat(options).ToArray());
        Assert.True(exitCode == 0, text);
        return JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(path, ".prune.json"))).RootElement.Clone();
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static Dictionary<string, int> LayerBits(JsonElement report) =>
        report.GetProperty("layers").EnumerateArray()
            .Where(l => l.TryGetProperty("quantization", out _))
            .ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("quantization").GetProperty("bits").GetInt32());
}
