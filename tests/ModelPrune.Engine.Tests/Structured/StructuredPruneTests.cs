using System.Text.Json;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Structured;

/// <summary>Structured pruning end to end: through the command line, and the stage itself for FLAP's bias compensation.</summary>
public sealed class StructuredPruneTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("maw")]
    [InlineData("magnitude-l2")]
    public void A_structured_prune_writes_a_smaller_model_with_the_same_inputs_and_outputs(string method)
    {
        var model = ModelFiles.Write(_folder, "cnn.onnx", StructuredFixtures.CnnWithBatchNorm());
        var output = _folder.File("out/cnn.onnx");

        var (exitCode, printed) = EngineCli.Run("prune", model, "-o", output, "--method", method, "--structure", "filters", "--sparsity", "0.5", "--no-cache", "--device", "cpu");

        Assert.True(exitCode == 0, printed);
        Assert.Contains("of prunable parameters removed (" + method + ", filters)", printed);
        var original = ModelFiles.Read(model);
        var pruned = ModelFiles.Read(output);
        Assert.Equal(original.Graph.Input.Select(i => i.Name), pruned.Graph.Input.Select(i => i.Name));
        Assert.Equal(original.Graph.Output.Select(o => o.Name), pruned.Graph.Output.Select(o => o.Name));
        Assert.Equal(ModelRunner.Run(original)["logits"].Shape, ModelRunner.Run(pruned)["logits"].Shape);
        Assert.True(new FileInfo(output).Length < new FileInfo(model).Length * 0.6);

        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json")));
        var structured = report.RootElement.GetProperty("structured");
        Assert.Equal("filters", structured.GetProperty("structure").GetString());
        Assert.InRange(structured.GetProperty("removedFraction").GetDouble(), 0.4, 0.6);
        var groups = structured.GetProperty("groups").EnumerateArray().ToArray();
        var pruned2 = groups.Where(g => g.GetProperty("status").GetString() == "pruned").ToArray();
        Assert.Equal(2, pruned2.Length);
        Assert.All(pruned2, g => Assert.True(g.GetProperty("unitsKept").GetInt64() < g.GetProperty("units").GetInt64()));
        // The classifier's outputs are the model's outputs.
        Assert.Contains("graph output 'logits'", groups.Single(g => g.GetProperty("status").GetString() == "skipped").GetProperty("reason").GetString());
        var conv1 = report.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "conv1.weight");
        Assert.Equal(pruned2[0].GetProperty("unitsKept").GetInt64(), conv1.GetProperty("shapeAfter")[0].GetInt64());
        Assert.Equal(pruned.Graph.Initializer.Single(t => t.Name == "conv1.weight").Dims, conv1.GetProperty("shapeAfter").EnumerateArray().Select(d => d.GetInt64()));
        Assert.True(report.RootElement.GetProperty("cost").GetProperty("nonZeroParametersAfter").GetInt64()
            < report.RootElement.GetProperty("cost").GetProperty("nonZeroParametersBefore").GetInt64());
        Assert.Contains("## Structured pruning", File.ReadAllText(Path.ChangeExtension(output, ".prune.md")));
    }

    [Fact]
    public void The_same_inputs_give_byte_identical_models_and_reports()
    {
        var model = ModelFiles.Write(_folder, "mha.onnx", StructuredFixtures.MultiHeadAttention(true));
        var calibration = Calibration("x", 24, 5, 32, withMask: true);
        byte[][] Run(string name)
        {
            var output = _folder.File($"{name}/mha.onnx");
            var (exitCode, printed) = EngineCli.Run("prune", model, "-o", output, "--method", "flap", "--calibration", calibration, "--sparsity", "0.5", "--no-cache", "--device", "cpu");
            Assert.True(exitCode == 0, printed);
            return new[] { File.ReadAllBytes(output), File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json")), File.ReadAllBytes(Path.ChangeExtension(output, ".prune.summary")) };
        }

        var first = Run("a");
        var second = Run("b");

        Assert.Equal(first, second);
        using var report = JsonDocument.Parse(first[1]);
        var heads = report.RootElement.GetProperty("structured").GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("kind").GetString() == "heads");
        Assert.Equal("pruned", heads.GetProperty("status").GetString());
        Assert.True(heads.GetProperty("biasCompensated").GetBoolean());
    }

    [Fact]
    public void Structure_picks_the_kind_of_unit_and_lists_the_others_as_excluded()
    {
        var model = ModelFiles.Write(_folder, "mha.onnx", StructuredFixtures.MultiHeadAttention(false));
        var output = _folder.File("out/mha.onnx");

        var (exitCode, printed) = EngineCli.Run("prune", model, "-o", output, "--structure", "neurons", "--no-cache", "--device", "cpu");

        Assert.True(exitCode == 0, printed);
        // The only neurons group (the output projection) writes into a residual sum with the graph input.
        Assert.Contains("MP1084", printed);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json")));
        var groups = report.RootElement.GetProperty("structured").GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal("excluded", groups.Single(g => g.GetProperty("kind").GetString() == "heads").GetProperty("status").GetString());
        Assert.Contains("graph input", groups.Single(g => g.GetProperty("kind").GetString() == "neurons").GetProperty("reason").GetString());
        Assert.Equal(File.ReadAllBytes(model).Length, new FileInfo(output).Length);
    }

    [Fact]
    public void Layers_left_out_by_ExcludeLayers_keep_their_whole_group()
    {
        var model = ModelFiles.Write(_folder, "cnn.onnx", StructuredFixtures.CnnWithBatchNorm());
        var output = _folder.File("out/cnn.onnx");

        var (exitCode, printed) = EngineCli.Run("prune", model, "-o", output, "--method", "maw", "--structure", "filters", "--exclude", "fc.weight", "--no-cache", "--device", "cpu");

        Assert.True(exitCode == 0, printed);
        var pruned = ModelFiles.Read(output);
        Assert.Equal(new long[] { 4, 3, 3, 3 }, pruned.Graph.Initializer.Single(t => t.Name == "conv1.weight").Dims);
        // conv2's filters feed fc.weight, which is excluded: conv2 keeps all 16 filters (and loses only input channels).
        Assert.Equal(new long[] { 16, 4, 3, 3 }, pruned.Graph.Initializer.Single(t => t.Name == "conv2.weight").Dims);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("digit_cnn")]
    public void Flaps_bias_compensation_moves_the_mean_output_towards_the_original(string fixture)
    {
        var (proto, input, output, calibrationPath) = fixture == "mlp"
            ? (StructuredFixtures.Mlp(), "x", "y", Calibration("x", 64, 0, 16, withMask: false))
            : (StructuredFixtures.DigitCnn(), "pixels", "scores", Digits(64));
        var path = ModelFiles.Write(_folder, fixture + ".onnx", proto);
        var settings = PruneSettingsParser.Parse(new RawSettings { Sparsity = "0.5", Method = "flap", CalibrationData = calibrationPath }, path);
        var signature = ModelInputSignature.FromModel(proto);
        var calibration = CalibrationLoader.Load(settings.CalibrationData!, _folder.Path, signature, 64, 42, path).Split(0.2);

        ModelProto Prune(bool compensate)
        {
            var model = OnnxModelReader.Read(path);
            StructuredPruningStage.Apply(model, settings, calibration, new DiagnosticLog(), path, compensate);
            return model.Proto;
        }

        var original = MeanOutput(proto, calibrationPath, input, output);
        var compensated = MeanOutput(Prune(true), calibrationPath, input, output);
        var uncompensated = MeanOutput(Prune(false), calibrationPath, input, output);

        var withShift = Distance(compensated, original);
        var withoutShift = Distance(uncompensated, original);
        Assert.True(withShift < withoutShift * 0.5, $"mean output off by {withShift} with compensation, {withoutShift} without");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("8", false)]
    public void Filter_counts_off_the_kernel_block_are_warned_about_unless_UnitMultiple_is_set(string? multiple, bool warned)
    {
        var model = ModelFiles.Write(_folder, "digits.onnx", StructuredFixtures.DigitCnn());
        var options = new List<string> { "prune", model, "-o", _folder.File("out/digits.onnx"), "--method", "maw", "--structure", "filters", "--sparsity", "0.3", "--no-cache", "--device", "cpu" };
        if (multiple is not null) options.AddRange(new[] { "--unit-multiple", multiple });

        var (exitCode, printed) = EngineCli.Run(options.ToArray());

        Assert.True(exitCode == 0, printed);
        Assert.Equal(warned, printed.Contains("warning MP1086", StringComparison.Ordinal));
    }

    [Fact]
    public void Inspect_lists_the_unit_groups_and_why_one_is_left_alone()
    {
        var model = ModelFiles.Write(_folder, "concat.onnx", StructuredFixtures.ConcatCnn());

        var (exitCode, printed) = EngineCli.Run("inspect", model, "--units");

        Assert.True(exitCode == 0, printed);
        Assert.Contains("unit groups (Structure=...): 3 prunable of 4", printed);
        Assert.Contains("filters\t4\tconvA.weight\tconv.weight\tprunable", printed);
        Assert.Contains("neurons\t10\tfc.weight\t\tskipped: the units reach the graph output 'logits'", printed);
    }

    [Fact]
    public void Flap_without_calibration_data_is_a_coded_error()
    {
        var model = ModelFiles.Write(_folder, "mlp.onnx", StructuredFixtures.Mlp());

        var (exitCode, printed) = EngineCli.Run("prune", model, "-o", _folder.File("out/mlp.onnx"), "--method", "flap", "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1040", printed);
        Assert.False(File.Exists(_folder.File("out/mlp.onnx")));
    }

    /// <summary>Seeded normal inputs [samples, (sequence,) features] in an .npz, plus an attention mask when asked.</summary>
    private string Calibration(string input, int samples, int sequence, int features, bool withMask)
    {
        var random = new Random(11);
        var shape = sequence > 0 ? new long[] { samples, sequence, features } : new long[] { samples, features };
        var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var arrays = new List<(string, NpyTestArray)> { (input, NpyTestArray.Float32(values, shape)) };
        if (withMask)
        {
            var mask = Enumerable.Range(0, samples * sequence).Select(i => i % sequence < sequence - (i / sequence % 2) ? 1L : 0L).ToArray();
            arrays.Add(("attention_mask", NpyTestArray.Int64(mask, samples, sequence)));
        }

        var path = _folder.File($"calibration_{input}_{samples}.npz");
        NumpyFiles.WriteNpz(path, compressed: false, arrays.ToArray());
        return path;
    }

    /// <summary>Digit images [samples, 1, 8, 8] from the DigitCnn's own task, not its training samples.</summary>
    private string Digits(int samples)
    {
        var (pixels, _) = StructuredFixtures.DigitCnnData(samples, seed: 77);
        var path = _folder.File("digits.npz");
        NumpyFiles.WriteNpz(path, compressed: false, ("pixels", NpyTestArray.Float32(pixels, samples, 1, 8, 8)));
        return path;
    }

    /// <summary>The model's output averaged over the calibration samples.</summary>
    private static double[] MeanOutput(ModelProto model, string calibrationPath, string inputName, string outputName)
    {
        var x = NpzReader.Read(calibrationPath)[inputName];
        var values = x.ToFloat32();
        var samples = (int)x.Shape[0];
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model));
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(values, x.Shape.ToArray());
        using var results = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), new[] { inputName }, new[] { input }, new[] { outputName });
        var y = results[0].GetTensorDataAsSpan<float>().ToArray();
        var width = y.Length / samples;
        return Enumerable.Range(0, width).Select(j => Enumerable.Range(0, samples).Average(s => (double)y[(s * width) + j])).ToArray();
    }

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (p, q) => (p - q) * (p - q)).Sum());
}
