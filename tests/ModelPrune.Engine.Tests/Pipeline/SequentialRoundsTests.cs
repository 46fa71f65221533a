using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Tests.Statistics;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// Sequential calibration measures each round on its own part of the model, on what the earlier parts carried; the
/// pruned weights and reported errors must be exactly those of running the whole model for every round.
/// </summary>
public sealed class SequentialRoundsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("wanda", null, null)]
    [InlineData("sparsegpt", null, null)]
    [InlineData("wanda", "owl", null)]
    [InlineData("sparsegpt", null, "int4")]
    public void Rounds_on_parts_prune_exactly_as_rounds_over_the_whole_model(string method, string? allocation, string? quantize)
    {
        var config = LlamaConfig.Small;
        var path = ModelFiles.Write(_folder, "llama.onnx", LlamaFixtures.Build(config));
        var calibrationPath = _folder.File("calibration.npz");
        LlamaFixtures.WriteTokens(calibrationPath, config, sequences: 20, length: 16, seed: 3, labels: false);
        var runs = Compare(path, calibrationPath, method, allocation, quantize, w => w.OpType == "MatMul");

        // Sequential really differs from one pass: the layers after the first round saw pruned inputs.
        var onePass = Prune(path, calibrationPath, method, allocation, quantize, "one-pass", w => w.OpType == "MatMul", wholeModelRounds: false);
        var onePassWeights = Weights(onePass.Model);
        Assert.Contains(runs.Keys, name => !onePassWeights[name].AsSpan().SequenceEqual(runs[name]));
    }

    [Fact]
    public void A_weight_read_before_its_round_makes_every_round_run_the_whole_model()
    {
        var path = ModelFiles.Write(_folder, "shared.onnx", StatisticsTestModels.WeightReadBeforeItsRound());
        var random = new Random(11);
        var x = Enumerable.Range(0, 40 * 8).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var calibrationPath = _folder.File("x.npz");
        NpzFile.Write(calibrationPath, NpzFile.Float32("x", x, 40, 8));

        // Cut into parts, W3 would see s = mean(W2) of the dense W2 that fc2's round measured, not of the pruned W2.
        Compare(path, calibrationPath, "sparsegpt", null, null, _ => true);
    }

    /// <summary>Prunes with parts and with whole-model rounds and asserts both give the same weights, errors and diagnostics.</summary>
    private Dictionary<string, float[]> Compare(string path, string calibrationPath, string method, string? allocation, string? quantize, Func<PrunableWeight, bool> select)
    {
        var parts = Prune(path, calibrationPath, method, allocation, quantize, "sequential", select, wholeModelRounds: false);
        var whole = Prune(path, calibrationPath, method, allocation, quantize, "sequential", select, wholeModelRounds: true);

        var partWeights = Weights(parts.Model);
        var wholeWeights = Weights(whole.Model);
        Assert.Equal(wholeWeights.Keys, partWeights.Keys);
        foreach (var (name, values) in wholeWeights)
        {
            Assert.True(values.AsSpan().SequenceEqual(partWeights[name]), $"weight {name} differs");
        }

        Assert.True(wholeWeights.Values.Sum(v => v.Count(x => x == 0)) > wholeWeights.Values.Sum(v => v.Length) / 3, "nothing was pruned");
        var wholeErrors = whole.Result.Results.ToDictionary(r => r.Key.Name, r => (r.Value.ReconstructionError, r.Value.HeldOutError, r.Value.Tokens));
        var partErrors = parts.Result.Results.ToDictionary(r => r.Key.Name, r => (r.Value.ReconstructionError, r.Value.HeldOutError, r.Value.Tokens));
        Assert.Equal(wholeErrors.OrderBy(e => e.Key), partErrors.OrderBy(e => e.Key));
        Assert.All(partErrors.Values, e => Assert.NotNull(e.HeldOutError));
        Assert.Equal(whole.Result.Results.Count(r => r.Value.Quantized is not null), parts.Result.Results.Count(r => r.Value.Quantized is not null));
        Assert.Equal(whole.Log.Items.Select(d => d.Code).Order(), parts.Log.Items.Select(d => d.Code).Order());
        return partWeights;
    }

    private (OnnxModel Model, CalibratedPruning Result, DiagnosticLog Log) Prune(string path, string calibrationPath, string method, string? allocation,
        string? quantize, string mode, Func<PrunableWeight, bool> select, bool wholeModelRounds)
    {
        var settings = PruneSettingsParser.Parse(
            new RawSettings { Sparsity = "0.5", Method = method, CalibrationData = calibrationPath, CalibrationMode = mode, Allocation = allocation, Quantize = quantize }, path);
        var model = OnnxModelReader.Read(path);
        var calibration = CalibrationLoader.Load(settings.CalibrationData!, _folder.Path, ModelInputSignature.FromModel(model.Proto), 64, 42, path)
            .Split(CalibrationSplit.HeldOutFraction);
        var selected = PrunableWeightFinder.Find(model).Where(select).ToArray();
        var log = new DiagnosticLog();
        return (model, CalibratedPruningStage.Apply(model.Proto, selected, settings, calibration, log, path, wholeModelRounds: wholeModelRounds), log);
    }

    private static Dictionary<string, float[]> Weights(OnnxModel model) =>
        PrunableWeightFinder.Find(model).ToDictionary(w => w.Name, w => w.Tensor.ReadValues());
}
