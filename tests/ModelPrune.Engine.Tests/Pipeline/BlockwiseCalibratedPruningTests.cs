using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// A model whose statistics pass the memory budget is measured and pruned block by block; the pruned weights and the
/// reported errors must be exactly those of one pass over the whole model.
/// </summary>
public sealed class BlockwiseCalibratedPruningTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("wanda", null, null)]
    [InlineData("sparsegpt", null, null)]
    [InlineData("wanda", "owl", null)]
    [InlineData("wanda", "global", null)]
    [InlineData("sparsegpt", null, "int4")]
    public void Blocks_prune_exactly_as_one_pass(string method, string? allocation, string? quantize)
    {
        var config = LlamaConfig.Small;
        var path = ModelFiles.Write(_folder, "llama.onnx", LlamaFixtures.Build(config));
        var calibrationPath = _folder.File("calibration.npz");
        LlamaFixtures.WriteTokens(calibrationPath, config, sequences: 20, length: 16, seed: 3, labels: false);
        var settings = PruneSettingsParser.Parse(
            new RawSettings { Sparsity = "0.5", Method = method, CalibrationData = calibrationPath, Allocation = allocation, Quantize = quantize }, path);
        var calibration = CalibrationLoader.Load(settings.CalibrationData!, _folder.Path, ModelInputSignature.FromModel(OnnxModelReader.Read(path).Proto), 64, 42, path)
            .Split(CalibrationSplit.HeldOutFraction);

        (OnnxModel Model, CalibratedPruning Result, DiagnosticLog Log) Prune(long? budget)
        {
            var model = OnnxModelReader.Read(path);
            var selected = PrunableWeightFinder.Find(model).Where(w => w.OpType == "MatMul").ToArray();
            var log = new DiagnosticLog();
            return (model, CalibratedPruningStage.Apply(model.Proto, selected, settings, calibration, log, path, budgetBytes: budget), log);
        }

        var whole = Prune(budget: null);
        var blocks = Prune(budget: 1);

        var wholeWeights = PrunableWeightFinder.Find(whole.Model).ToDictionary(w => w.Name, w => w.Tensor.ReadValues());
        var blockWeights = PrunableWeightFinder.Find(blocks.Model).ToDictionary(w => w.Name, w => w.Tensor.ReadValues());
        Assert.Equal(wholeWeights.Keys, blockWeights.Keys);
        foreach (var (name, values) in wholeWeights)
        {
            Assert.True(values.AsSpan().SequenceEqual(blockWeights[name]), $"weight {name} differs");
        }

        Assert.True(wholeWeights.Values.Sum(v => v.Count(x => x == 0)) > wholeWeights.Values.Sum(v => v.Length) / 3, "nothing was pruned");
        var wholeErrors = whole.Result.Results.ToDictionary(r => r.Key.Name, r => (r.Value.ReconstructionError, r.Value.HeldOutError, r.Value.Tokens));
        var blockErrors = blocks.Result.Results.ToDictionary(r => r.Key.Name, r => (r.Value.ReconstructionError, r.Value.HeldOutError, r.Value.Tokens));
        Assert.Equal(wholeErrors.OrderBy(e => e.Key), blockErrors.OrderBy(e => e.Key));
        Assert.All(blockErrors.Values, e => Assert.NotNull(e.HeldOutError));
        Assert.Equal(whole.Result.Results.Count(r => r.Value.Quantized is not null), blocks.Result.Results.Count(r => r.Value.Quantized is not null));
        Assert.Equal(whole.Log.Items.Select(d => d.Code).Order(), blocks.Log.Items.Select(d => d.Code).Order());
    }
}
