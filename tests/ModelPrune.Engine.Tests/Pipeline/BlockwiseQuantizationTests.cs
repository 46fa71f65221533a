using System.Text.Json;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Progress;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.Progress;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// GPTQ's statistics past the memory budget are measured block by block, each block's layers quantized as it comes and
/// every layer written after the last: the written model and each layer's report must be exactly those of one pass.
/// </summary>
public sealed class BlockwiseQuantizationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("wanda", "0.5", "int4", null, null)]
    [InlineData(null, "0", "int8", null, null)]
    [InlineData(null, "0", "int4", "rtn", null)]
    [InlineData(null, "0", "int8", null, "dynamic")]
    public void Llama_blocks_quantize_exactly_as_one_pass(string? method, string sparsity, string quantize, string? quantMethod, string? activations)
    {
        var config = LlamaConfig.Small;
        var path = ModelFiles.Write(_folder, "llama.onnx", LlamaFixtures.Build(config));
        var calibrationPath = _folder.File("calibration.npz");
        LlamaFixtures.WriteTokens(calibrationPath, config, sequences: 20, length: 16, seed: 3, labels: false);
        var raw = new RawSettings
        {
            Sparsity = sparsity, Method = method, CalibrationData = calibrationPath, Quantize = quantize,
            QuantGroupSize = quantize == "int4" ? "32" : null, QuantMethod = quantMethod, QuantizeActivations = activations,
        };

        var (_, blocks) = QuantizeBoth(path, raw);

        Assert.NotEmpty(blocks.Layers);
        Assert.All(blocks.Layers, l =>
        {
            Assert.Equal(quantMethod ?? "gptq", l.Quantization!.Method);
            Assert.Equal(activations is null ? "MatMulNBits" : "DynamicQuantizeMatMul", l.Quantization.Format);
            Assert.True(l.Quantization is { Error: > 0, HeldOutError: > 0 }, $"{l.Name}: {l.Quantization}");
        });
    }

    /// <summary>
    /// MatMuls whose weight MatMulNBits takes, one whose weight a Gemm also reads (so it goes behind DequantizeLinear),
    /// a Gemm, and a weight that is a MatMul's first operand: the layers that are not MatMul-transposable, or that
    /// MatMulNBits refuses, are chosen on the graph before any layer is written, and still as in one pass.
    /// </summary>
    [Fact]
    public void Layers_stored_in_every_format_quantize_block_by_block_exactly_as_one_pass()
    {
        var path = ModelFiles.Write(_folder, "mixed.onnx", QuantizationFixtures.MixedFormats());
        var calibrationPath = _folder.File("calibration.npy");
        var random = new Random(5);
        NumpyFiles.WriteNpy(calibrationPath, NpyTestArray.Float32(Enumerable.Range(0, 256 * 32).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), 256, 32));
        var raw = new RawSettings { Sparsity = "0.5", Method = "magnitude", CalibrationData = calibrationPath, Quantize = "int4", QuantGroupSize = "32" };

        var (_, blocks) = QuantizeBoth(path, raw, samples: 256);

        var formats = blocks.Layers.ToDictionary(l => l.Name, l => l.Quantization!.Format);
        Assert.Equal("MatMulNBits", formats["W1"]);
        Assert.Equal("DequantizeLinear", formats["W_shared"]);
        Assert.Equal("DequantizeLinear", formats["W_gemm"]);
        Assert.Equal("DequantizeLinear", formats["W_first"]);
        Assert.Contains(blocks.Layers, l => l.Quantization!.Method == "gptq" && l.Quantization.Format == "DequantizeLinear");
    }

    private sealed record Quantized(byte[] Model, IReadOnlyList<LayerReport> Layers, string Report, IReadOnlyList<string> Diagnostics, IReadOnlyList<string> Stages);

    /// <summary>Prunes and quantizes with one pass (the default budget) and block by block (a budget of 1 byte), and checks both agree.</summary>
    private (Quantized Whole, Quantized Blocks) QuantizeBoth(string path, RawSettings raw, int samples = 64)
    {
        var settings = PruneSettingsParser.Parse(raw, path);
        var calibration = CalibrationLoader.Load(settings.CalibrationData!, _folder.Path, ModelInputSignature.FromModel(OnnxModelReader.Read(path).Proto), samples, 42, path)
            .Split(CalibrationSplit.HeldOutFraction);
        Assert.True(calibration.HeldOut.SampleCount > 0);

        Quantized Quantize(long? budget)
        {
            var model = OnnxModelReader.Read(path);
            var log = new DiagnosticLog();
            var pruning = LayerPruningStage.Apply(model, settings, calibration, log, path);
            // Only the quantization stage reports here: a single statistics pass is a stage of its own, block by block is not.
            var progress = new RecordingProgressOutput();
            var (layers, report) = ModelProgress.Run(new ProgressReporter(path, progress, TimeSpan.Zero),
                () => QuantizationStage.Apply(model, settings, settings.Quantization!, pruning, calibration, log, path, budgetBytes: budget));
            return new Quantized(OnnxModelWriter.ToBytes(model.Proto), layers, JsonSerializer.Serialize(report),
                log.Items.Select(d => d.Code + " " + d.Message).ToArray(), progress.Lines.Select(l => l.Stage).Distinct().ToArray());
        }

        var whole = Quantize(budget: null);
        var blocks = Quantize(budget: 1);

        Assert.Equal(new[] { "statistics", "quantize" }, whole.Stages);
        Assert.Equal(new[] { "quantize" }, blocks.Stages);
        Assert.True(whole.Model.AsSpan().SequenceEqual(blocks.Model), "the written models differ");
        Assert.Equal(whole.Layers.Select(l => (l.Name, l.Quantization)), blocks.Layers.Select(l => (l.Name, l.Quantization)));
        Assert.Equal(whole.Report, blocks.Report);
        Assert.Equal(whole.Diagnostics, blocks.Diagnostics);

        // Measured at all: quantized layers report their errors on the fitted and the held-out samples.
        Assert.Contains(blocks.Layers, l => l.Quantization is { Error: > 0, HeldOutError: > 0 });
        return (whole, blocks);
    }
}
