using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>
/// Quantize="int8|int4" end to end: the pruned model is stored in formats ONNX Runtime runs, the file is really
/// smaller, the model still computes what the float one did, and the report says per layer how each weight is stored.
/// </summary>
public sealed class QuantizePipelineTests : IDisposable
{
    // Enough tokens that XᵀX of a 128-wide layer is well determined: GPTQ fits it, and with fewer it overfits.
    private const int Samples = 512;
    private const string CalibrationSamples = "512";

    private readonly TempFolder _folder = new();
    private readonly string _chain;
    private readonly string _calibration;

    public QuantizePipelineTests()
    {
        _chain = ModelFiles.Write(_folder, "chain.onnx", QuantizationFixtures.MatMulChain(7, 128, 128, 64));
        _calibration = _folder.File("calibration.npy");
        NumpyFiles.WriteNpy(_calibration, NpyTestArray.Float32(CorrelatedInputs(Samples, 128), Samples, 128));
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Int4_with_GPTQ_stores_MatMul_weights_as_MatMulNBits_and_the_file_shrinks_to_under_a_fifth()
    {
        var output = _folder.File("int4/chain.onnx");

        var (exitCode, text) = EngineCli.Run("prune", _chain, "-o", output, "--sparsity", "0", "--quantize", "int4", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--no-cache");

        Assert.True(exitCode == 0, text);
        Assert.Contains("int4 ", text);
        var report = Report(output);
        var quantization = report.GetProperty("quantization");
        Assert.Equal("gptq", quantization.GetProperty("method").GetString());
        Assert.Equal(32, quantization.GetProperty("groupSize").GetInt32());
        Assert.Equal(2, quantization.GetProperty("matMulNBitsLayers").GetInt32());
        Assert.Equal((128 * 128) + (128 * 64), quantization.GetProperty("quantizedWeights").GetInt64());
        Assert.Equal(5.125, quantization.GetProperty("bitsPerWeight").GetDouble());
        foreach (var layer in report.GetProperty("layers").EnumerateArray())
        {
            var q = layer.GetProperty("quantization");
            Assert.Equal("MatMulNBits", q.GetProperty("format").GetString());
            Assert.Equal(4, q.GetProperty("bits").GetInt32());
            // 4-bit codes, a float32 scale and a 4-bit zero point per 32 weights.
            Assert.Equal(4 + (32.0 / 32) + (4.0 / 32), q.GetProperty("bitsPerWeight").GetDouble());
            Assert.True(q.GetProperty("error").GetDouble() is > 0 and < 0.05, layer.ToString());
            Assert.True(q.TryGetProperty("heldOutError", out _), "held-out error expected");
        }

        Assert.True(new FileInfo(output).Length < new FileInfo(_chain).Length / 5, $"{new FileInfo(output).Length} of {new FileInfo(_chain).Length} bytes");
        Assert.Contains("| Quantization | int4 gptq, groups of 32: 2 MatMulNBits, 0 DequantizeLinear (int8), 0 float; 0 embedding table(s) int8; 5.125 bits per weight over 24,576 weights |",
            File.ReadAllText(Path.ChangeExtension(output, ".prune.md")));
        Assert.Contains(Operators(output), op => op == "com.microsoft:MatMulNBits");
        Assert.DoesNotContain(Operators(output), op => op == ":MatMul");
    }

    [Fact]
    public void GPTQ_reconstructs_each_layer_better_than_rounding_to_nearest_on_held_out_samples()
    {
        var gptq = _folder.File("gptq/chain.onnx");
        var rtn = _folder.File("rtn/chain.onnx");
        Assert.Equal(0, EngineCli.Run("prune", _chain, "-o", gptq, "--sparsity", "0", "--quantize", "int4", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--no-cache").ExitCode);
        Assert.Equal(0, EngineCli.Run("prune", _chain, "-o", rtn, "--sparsity", "0", "--quantize", "int4", "--quant-method", "rtn", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--no-cache").ExitCode);

        var gptqLayers = Report(gptq).GetProperty("layers").EnumerateArray().ToArray();
        var rtnLayers = Report(rtn).GetProperty("layers").EnumerateArray().ToArray();
        for (var i = 0; i < gptqLayers.Length; i++)
        {
            Assert.Equal("rtn", rtnLayers[i].GetProperty("quantization").GetProperty("method").GetString());
            var better = gptqLayers[i].GetProperty("quantization").GetProperty("heldOutError").GetDouble();
            var worse = rtnLayers[i].GetProperty("quantization").GetProperty("heldOutError").GetDouble();
            Assert.True(better < worse, $"{gptqLayers[i].GetProperty("name")}: GPTQ {better} vs RTN {worse} on held-out samples");
        }
    }

    /// <summary>Pruned weights stay exactly zero: the model pruned then quantized equals, on every input, one whose zeros are exact.</summary>
    [Fact]
    public void Int8_after_wanda_keeps_the_sparsity_and_matches_the_float_pruned_model_closely()
    {
        var pruned = _folder.File("pruned/chain.onnx");
        var quantized = _folder.File("quantized/chain.onnx");
        Assert.Equal(0, EngineCli.Run("prune", _chain, "-o", pruned, "--method", "wanda", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--no-cache").ExitCode);
        var (exitCode, text) = EngineCli.Run("prune", _chain, "-o", quantized, "--method", "wanda", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--quantize", "int8", "--no-cache");
        Assert.True(exitCode == 0, text);

        var report = Report(quantized);
        Assert.Equal(0.5, report.GetProperty("totals").GetProperty("prunableSparsity").GetDouble(), 3);
        Assert.All(report.GetProperty("layers").EnumerateArray(), layer => Assert.Equal(8, layer.GetProperty("quantization").GetProperty("bits").GetInt32()));
        var x = Enumerable.Range(0, 4 * 128).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var reference = Run(pruned, x);
        var actual = Run(quantized, x);
        var scale = reference.Max(MathF.Abs);
        var drift = reference.Zip(actual).Max(p => MathF.Abs(p.First - p.Second));
        Assert.True(drift < 0.02f * scale, $"int8 outputs drifted from the pruned float model: {drift} of {scale}");
    }

    /// <summary>
    /// SparseGPT with Quantize prunes and quantizes each layer in one pass: the layers say so, their error is of both
    /// together against the dense weight, the sparsity holds, and on held-out samples the model is nearly as close to the dense one as the float SparseGPT model.
    /// </summary>
    [Fact]
    public void Sparsegpt_with_int4_prunes_and_quantizes_each_layer_in_one_pass()
    {
        var pruned = _folder.File("sparsegpt/chain.onnx");
        var joint = _folder.File("joint/chain.onnx");
        Assert.Equal(0, EngineCli.Run("prune", _chain, "-o", pruned, "--method", "sparsegpt", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--no-cache").ExitCode);
        var (exitCode, text) = EngineCli.Run("prune", _chain, "-o", joint, "--method", "sparsegpt", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--quantize", "int4", "--no-cache");
        Assert.True(exitCode == 0, text);

        var report = Report(joint);
        Assert.True(report.GetProperty("totals").GetProperty("prunableSparsity").GetDouble() >= 0.5, report.GetProperty("totals").ToString());
        var floatLayers = Report(pruned).GetProperty("layers").EnumerateArray().ToArray();
        var jointLayers = report.GetProperty("layers").EnumerateArray().ToArray();
        for (var i = 0; i < jointLayers.Length; i++)
        {
            var q = jointLayers[i].GetProperty("quantization");
            Assert.Equal("sparsegpt", q.GetProperty("method").GetString());
            Assert.Equal("MatMulNBits", q.GetProperty("format").GetString());
            Assert.Equal(32, q.GetProperty("groupSize").GetInt32());
            // One pass: the quantization's error is the layer's, which includes the pruning's, so it is above float SparseGPT's alone.
            Assert.Equal(jointLayers[i].GetProperty("reconstructionError").GetDouble(), q.GetProperty("error").GetDouble());
            Assert.True(q.GetProperty("error").GetDouble() > floatLayers[i].GetProperty("reconstructionError").GetDouble(), jointLayers[i].ToString());
        }

        // On the held-out samples, 4 bits cost a little on top of the float SparseGPT model's error, not a multiple of it.
        var floatError = HeldOutRelativeL2(Report(pruned));
        var jointError = HeldOutRelativeL2(report);
        Assert.True(jointError > floatError && jointError < 1.5 * floatError, $"held-out relative L2: float SparseGPT {floatError}, with int4 {jointError}");
        Assert.True(new FileInfo(joint).Length < new FileInfo(_chain).Length / 5, $"{new FileInfo(joint).Length} of {new FileInfo(_chain).Length} bytes");
    }

    [Fact]
    public void An_embedding_table_feeding_Gather_becomes_int8_per_row_and_the_model_still_runs()
    {
        var model = ModelFiles.Write(_folder, "embedding.onnx", FixtureModels.EmbeddingModel());
        var output = _folder.File("embedding/out.onnx");

        var (exitCode, text) = EngineCli.Run("prune", model, "-o", output, "--quantize", "int8", "--no-cache");

        Assert.True(exitCode == 0, text);
        var embeddings = Report(output).GetProperty("quantization").GetProperty("embeddings");
        var table = Assert.Single(embeddings.EnumerateArray());
        Assert.Equal("embedding", table.GetProperty("name").GetString());
        Assert.StartsWith("DequantizeLinear", table.GetProperty("format").GetString());
        Assert.Contains(Operators(output), op => op == ":DequantizeLinear");
    }

    [Fact]
    public void Quantize_false_of_embeddings_leaves_the_table_float()
    {
        var model = ModelFiles.Write(_folder, "embedding.onnx", FixtureModels.EmbeddingModel());
        var output = _folder.File("embedding-float/out.onnx");

        var (exitCode, text) = EngineCli.Run("prune", model, "-o", output, "--quantize", "int8", "--quantize-embeddings", "false", "--no-cache");

        Assert.True(exitCode == 0, text);
        Assert.Empty(Report(output).GetProperty("quantization").GetProperty("embeddings").EnumerateArray());
    }

    [Theory]
    [InlineData("MP1090", "--quantize", "int3")]
    [InlineData("MP1091", "--quant-group-size", "40")]
    [InlineData("MP1092", "--quant-symmetric", "sometimes")]
    [InlineData("MP1093", "--quant-method", "awq")]
    [InlineData("MP1094", "--quantize-embeddings", "maybe")]
    [InlineData("MP1040", "--quant-method", "gptq")]
    [InlineData("MP1097", "--quantize-activations", "static")]
    [InlineData("MP1097", "--quantize-activations", "dynamic")]
    public void A_bad_quantization_setting_is_its_coded_error(string code, string option, string value)
    {
        var arguments = new List<string> { "prune", _chain, "-o", _folder.File("bad/chain.onnx"), "--no-cache", option, value };
        if (option != "--quantize") arguments.AddRange(new[] { "--quantize", "int4" });

        var (exitCode, text) = EngineCli.Run(arguments.ToArray());

        Assert.Equal(1, exitCode);
        Assert.Contains($"error {code}:", text);
    }

    [Theory]
    [InlineData("--quantize", "none")]
    [InlineData("--quant-symmetric", "false")]
    public void Dynamic_activations_with_settings_it_cannot_run_with_is_MP1097(string option, string value)
    {
        var (exitCode, text) = EngineCli.Run("prune", _chain, "-o", _folder.File("bad/chain.onnx"), "--no-cache", "--quantize-activations", "dynamic", option, value);

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1097:", text);
        Assert.Contains(option.TrimStart('-'), text);
    }

    /// <summary>
    /// QuantizeActivations="dynamic" alone: int8 weights per output column in DynamicQuantizeMatMul, which ONNX Runtime
    /// runs with integer kernels; on held-out samples the model stays close to the float one.
    /// </summary>
    [Fact]
    public void Dynamic_activations_turn_each_MatMul_into_DynamicQuantizeMatMul_with_int8_weights()
    {
        var output = _folder.File("dynamic/chain.onnx");

        var (exitCode, text) = EngineCli.Run("prune", _chain, "-o", output, "--sparsity", "0", "--quantize-activations", "dynamic", "--calibration-data", _calibration, "--calibration-samples", CalibrationSamples, "--no-cache");

        Assert.True(exitCode == 0, text);
        var report = Report(output);
        var quantization = report.GetProperty("quantization");
        Assert.Equal("int8", quantization.GetProperty("quantize").GetString());
        Assert.Equal("dynamic", quantization.GetProperty("activations").GetString());
        Assert.Equal(2, quantization.GetProperty("dynamicQuantizeMatMulLayers").GetInt32());
        Assert.Equal(0, quantization.GetProperty("matMulNBitsLayers").GetInt32());
        // int8 codes and one float32 scale per output column, over 128 inputs.
        Assert.Equal(8 + (32.0 / 128), quantization.GetProperty("bitsPerWeight").GetDouble());
        Assert.All(report.GetProperty("layers").EnumerateArray(), layer => Assert.Equal("DynamicQuantizeMatMul", layer.GetProperty("quantization").GetProperty("format").GetString()));
        Assert.Equal(new[] { "com.microsoft:DynamicQuantizeMatMul", "com.microsoft:DynamicQuantizeMatMul" }, Operators(output).Where(op => op.Contains("MatMul", StringComparison.Ordinal)));
        var relativeL2 = HeldOutRelativeL2(report);
        Assert.True(relativeL2 < 0.05, $"held-out relative L2 {relativeL2}");
        Assert.Contains("2 DynamicQuantizeMatMul (activations quantized at run time)", File.ReadAllText(Path.ChangeExtension(output, ".prune.md")));
    }

    /// <summary>A sweep with Quantize: every point is quantized like the kept model, and the page charts quality against compressed size.</summary>
    [Fact]
    public void A_quantized_sweep_records_each_points_size_and_charts_quality_against_it()
    {
        var output = _folder.File("sweep/chain.onnx");

        var (exitCode, text) = EngineCli.Run("prune", _chain, "-o", output, "--sparsity", "0.5", "--sweep-sparsities", "0.2;0.8", "--quantize", "int4", "--no-cache");

        Assert.True(exitCode == 0, text);
        var points = Report(output).GetProperty("sweep").EnumerateArray().ToArray();
        Assert.Equal(new[] { 0.2, 0.5, 0.8 }, points.Select(p => p.GetProperty("sparsity").GetDouble()));
        Assert.All(points, p => Assert.True(p.GetProperty("bytes").GetInt64() < new FileInfo(_chain).Length / 5, p.ToString()));
        Assert.Equal(new FileInfo(output).Length, points[1].GetProperty("bytes").GetInt64());
        // The raw size is the same at every sparsity; the zeros show in the compressed size.
        var gzip = points.Select(p => p.GetProperty("gzipBytes").GetInt64()).ToArray();
        Assert.True(gzip[0] > gzip[1] && gzip[1] > gzip[2], string.Join(", ", gzip));
        Assert.Equal(Report(output).GetProperty("cost").GetProperty("gzipBytesAfter").GetInt64(), gzip[1]);
        var html = File.ReadAllText(Path.ChangeExtension(output, ".prune.html"));
        var sizeChart = html[html.IndexOf("versus compressed size</h2>", StringComparison.Ordinal)..];
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(sizeChart[..sizeChart.IndexOf("</svg>", StringComparison.Ordinal)], "<circle ").Count);
        Assert.Contains(">gzip size</text>", sizeChart);
    }

    [Fact]
    public void Without_Quantize_the_report_has_no_quantization_section()
    {
        var output = _folder.File("plain/chain.onnx");
        Assert.Equal(0, EngineCli.Run("prune", _chain, "-o", output, "--no-cache").ExitCode);

        Assert.False(Report(output).TryGetProperty("quantization", out _));
    }

    /// <summary>
    /// Inputs that, like real activations, mostly vary along a few directions (16 factors mixed into 128 features,
    /// plus a little noise): the anisotropic XᵀX that GPTQ's compensation exploits. Independent features would give
    /// GPTQ nothing to gain over rounding.
    /// </summary>
    private static float[] CorrelatedInputs(int samples, int features)
    {
        const int factors = 16;
        var random = new Random(11);
        float Uniform() => (float)((random.NextDouble() * 2) - 1);
        var mixing = Enumerable.Range(0, factors * features).Select(_ => Uniform()).ToArray();
        var x = new float[samples * features];
        for (var s = 0; s < samples; s++)
        {
            var z = Enumerable.Range(0, factors).Select(_ => Uniform()).ToArray();
            for (var j = 0; j < features; j++)
            {
                var value = 0.05f * Uniform();
                for (var f = 0; f < factors; f++) value += z[f] * mixing[(f * features) + j];
                x[(s * features) + j] = value / 4;
            }
        }

        return x;
    }

    private static double HeldOutRelativeL2(JsonElement report)
    {
        var evaluation = report.GetProperty("evaluation");
        Assert.Equal("held-out calibration", evaluation.GetProperty("inputKind").GetString());
        return evaluation.GetProperty("outputs")[0].GetProperty("relativeL2").GetDouble();
    }

    private static JsonElement Report(string output) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement;

    private static IReadOnlyList<string> Operators(string path) =>
        ModelFiles.Read(path).Graph.Node.Select(n => $"{n.Domain}:{n.OpType}").ToArray();

    private static float[] Run(string model, float[] x)
    {
        using var session = new InferenceSession(model);
        using var input = OrtValue.CreateTensorValueFromMemory(x, new long[] { x.Length / 128, 128 });
        using var outputs = session.Run(new RunOptions(), new[] { "x" }, new[] { input }, new[] { "y" });
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
