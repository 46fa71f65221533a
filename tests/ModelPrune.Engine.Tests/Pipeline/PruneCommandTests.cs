using System.Text.Json;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>The `prune` command end to end on fixture models: real files, real ONNX Runtime sessions.</summary>
public sealed class PruneCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Every_selected_layer_gets_exactly_the_requested_sparsity_and_nothing_else_changes()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var output = _folder.File("out/mlp.onnx");

        var (exitCode, text) = EngineCli.Run("prune", input, "--sparsity", "0.4", "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        Assert.Contains("ModelPrune: ", text);
        Assert.Contains("40.0% sparse", text);
        var pruned = OnnxModelReader.Read(output);
        var weights = PrunableWeightFinder.Find(pruned);
        Assert.Equal(3, weights.Count);
        foreach (var w in weights)
        {
            Assert.Equal(MagnitudeSelection.CountFor(w.Tensor.ElementCount, 0.4), w.Tensor.CountZeros());
        }

        var before = ModelFiles.InitializerBytes(ModelFiles.Read(input));
        var after = ModelFiles.InitializerBytes(ModelFiles.Read(output));
        var weightNames = weights.Select(w => w.Name).ToHashSet();
        foreach (var (name, bytes) in before.Where(b => !weightNames.Contains(b.Key)))
        {
            Assert.Equal(bytes, after[name]);
        }

        Assert.True(File.Exists(_folder.File("out/mlp.prune.json")));
        Assert.True(File.Exists(_folder.File("out/mlp.prune.md")));
        Assert.True(File.Exists(_folder.File("out/mlp.prune.run.json")));
        Assert.Empty(Directory.GetFiles(_folder.File("out"), "*.tmp"));
    }

    [Fact]
    public void Two_to_four_holds_in_every_group_of_every_conv_and_gemm_weight()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", FixtureModels.SmallCnn());
        var output = _folder.File("cnn.pruned.onnx");

        var (exitCode, text) = EngineCli.Run("prune", input, "--pattern", "2:4", "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        foreach (var w in PrunableWeightFinder.Find(OnnxModelReader.Read(output)))
        {
            var W = w.Tensor.ReadValues();
            var layout = InputAxisLayout.From(w.Tensor.Dims, w.InputAxis);
            for (long outer = 0; outer < layout.Outer; outer++)
            for (long g = 0; g < layout.Length / 4; g++)
            for (long inner = 0; inner < layout.Inner; inner++)
            {
                var zeros = Enumerable.Range(0, 4).Count(t => W[layout.Index(outer, g * 4 + t, inner)] == 0f);
                Assert.Equal(2, zeros);
            }
        }
    }

    [Fact]
    public void A_layer_whose_input_dimension_does_not_split_into_groups_is_skipped_with_a_warning()
    {
        var input = ModelFiles.Write(_folder, "odd.onnx", FixtureModels.NotDivisibleMlp());
        var output = _folder.File("odd.pruned.onnx");

        var (exitCode, text) = EngineCli.Run("prune", input, "--pattern", "2:4", "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        Assert.Contains("warning MP1009", text);
        var report = ReadReport(_folder.File("odd.pruned.prune.json"));
        var skipped = report.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("status").GetString() == "skipped").ToArray();
        Assert.Single(skipped);
        Assert.Equal(0, skipped[0].GetProperty("zeros").GetInt64());
        Assert.Contains(report.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("code").GetString() == "MP1009");
    }

    [Fact]
    public void Exclude_keeps_a_layer_dense_and_a_pattern_matching_nothing_warns()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var first = PrunableWeightFinder.Find(OnnxModelReader.Read(input))[0];
        var output = _folder.File("mlp.pruned.onnx");

        var (exitCode, text) = EngineCli.Run("prune", input, "-o", output, "--no-cache", "--exclude", first.Name + ";no_such_layer*");

        Assert.True(exitCode == 0, text);
        Assert.Contains("warning MP1010", text);
        Assert.Contains("no_such_layer*", text);
        var weights = PrunableWeightFinder.Find(OnnxModelReader.Read(output));
        Assert.Equal(first.Tensor.CountZeros(), weights[0].Tensor.CountZeros());
        Assert.All(weights.Skip(1), w => Assert.True(w.Tensor.CountZeros() >= w.Tensor.ElementCount / 2));
    }

    [Fact]
    public void Weights_in_constant_nodes_and_if_branches_are_pruned()
    {
        var input = ModelFiles.Write(_folder, "branchy.onnx", FixtureModels.ConstantAndIfModel());
        var output = _folder.File("branchy.pruned.onnx");

        var (exitCode, text) = EngineCli.Run("prune", input, "--sparsity", "0.5", "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        var weights = PrunableWeightFinder.Find(OnnxModelReader.Read(output));
        Assert.Contains(weights, w => w.Location.Contains("constant", StringComparison.Ordinal));
        Assert.Contains(weights, w => w.Location.Contains("branch", StringComparison.Ordinal));
        Assert.All(weights, w => Assert.Equal(MagnitudeSelection.CountFor(w.Tensor.ElementCount, 0.5), w.Tensor.CountZeros()));
    }

    [Fact]
    public void A_model_with_external_data_is_pruned_into_one_self_contained_file()
    {
        var modelFolder = Directory.CreateDirectory(_folder.File("ext")).FullName;
        FixtureModels.WriteExternalDataModel(modelFolder);
        var output = _folder.File("elsewhere/external.pruned.onnx");

        var (exitCode, text) = EngineCli.Run("prune", Path.Combine(modelFolder, "external.onnx"), "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(output)!, "*.onnx"));
        var weights = PrunableWeightFinder.Find(OnnxModelReader.Read(output));
        Assert.NotEmpty(weights);
        Assert.All(weights, w => Assert.Equal(MagnitudeSelection.CountFor(w.Tensor.ElementCount, 0.5), w.Tensor.CountZeros()));
    }

    [Fact]
    public void Global_magnitude_meets_the_total_and_respects_the_layer_ceiling()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var output = _folder.File("mlp.global.onnx");

        var (exitCode, text) = EngineCli.Run("prune", input, "--method", "global-magnitude", "--sparsity", "0.6", "--max-layer-sparsity", "0.7", "-o", output, "--no-cache");

        Assert.True(exitCode == 0, text);
        var weights = PrunableWeightFinder.Find(OnnxModelReader.Read(output));
        var total = weights.Sum(w => w.Tensor.ElementCount);
        Assert.Equal(MagnitudeSelection.CountFor(total, 0.6), weights.Sum(w => w.Tensor.CountZeros()));
        Assert.All(weights, w => Assert.True(w.Tensor.CountZeros() <= Math.Floor(w.Tensor.ElementCount * 0.7)));
    }

    [Fact]
    public void The_same_inputs_give_byte_identical_models_and_reports()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", FixtureModels.SmallCnn());

        EngineCli.Run("prune", input, "-o", _folder.File("a/cnn.onnx"), "--no-cache");
        EngineCli.Run("prune", input, "-o", _folder.File("b/cnn.onnx"), "--no-cache");

        Assert.Equal(File.ReadAllBytes(_folder.File("a/cnn.onnx")), File.ReadAllBytes(_folder.File("b/cnn.onnx")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/cnn.prune.json")), File.ReadAllBytes(_folder.File("b/cnn.prune.json")));
    }

    [Fact]
    public void Errors_are_coded_name_the_file_and_leave_no_output()
    {
        var missing = _folder.File("missing.onnx");
        var garbage = _folder.File("garbage.onnx");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 300).Select(i => (byte)(i * 37 % 251)).ToArray());
        var good = ModelFiles.Write(_folder, "good.onnx", FixtureModels.GemmMlp());
        var goodBytes = File.ReadAllBytes(good);

        AssertFails(new[] { "prune", missing, "-o", _folder.File("o1.onnx") }, "MP1001", missing, _folder.File("o1.onnx"));
        AssertFails(new[] { "prune", garbage, "-o", _folder.File("o2.onnx") }, "MP1002", garbage, _folder.File("o2.onnx"));
        AssertFails(new[] { "prune", good, "--sparsity", "1.5", "-o", _folder.File("o3.onnx") }, "MP1003", good, _folder.File("o3.onnx"));
        AssertFails(new[] { "prune", good, "--method", "nope", "-o", _folder.File("o4.onnx") }, "MP1004", good, _folder.File("o4.onnx"));
        AssertFails(new[] { "prune", good, "-o", good }, "MP1014", good, _folder.File("none.onnx"));
        Assert.Equal(goodBytes, File.ReadAllBytes(good));
    }

    [Fact]
    public void Structured_options_reach_the_settings_and_bad_ones_are_coded_errors()
    {
        var good = ModelFiles.Write(_folder, "good.onnx", FixtureModels.GemmMlp());

        AssertFails(new[] { "prune", good, "--structure", "bogus", "-o", _folder.File("s1.onnx"), "--no-cache" }, "MP1080", good, _folder.File("s1.onnx"));
        AssertFails(new[] { "prune", good, "--structure", "neurons", "--method", "wanda", "-o", _folder.File("s2.onnx"), "--no-cache" }, "MP1081", good, _folder.File("s2.onnx"));
        AssertFails(new[] { "prune", good, "--structure", "neurons", "--pattern", "2:4", "-o", _folder.File("s3.onnx"), "--no-cache" }, "MP1016", good, _folder.File("s3.onnx"));
        AssertFails(new[] { "prune", good, "--structure", "neurons", "--min-units", "0", "-o", _folder.File("s4.onnx"), "--no-cache" }, "MP1082", good, _folder.File("s4.onnx"));
        AssertFails(new[] { "prune", good, "--method", "maw", "--unit-multiple", "eight", "-o", _folder.File("s5.onnx"), "--no-cache" }, "MP1083", good, _folder.File("s5.onnx"));
        AssertFails(new[] { "prune", good, "--method", "flap", "-o", _folder.File("s6.onnx"), "--no-cache" }, "MP1040", good, _folder.File("s6.onnx"));
    }

    [Fact]
    public void Prune_help_lists_the_structured_options()
    {
        var (exitCode, text) = EngineCli.Run("prune", "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("--structure", text);
        Assert.Contains("--min-units-per-layer", text);
        Assert.Contains("--unit-multiple", text);
        Assert.Contains("magnitude-l2", text);
    }

    private static void AssertFails(string[] args, string code, string file, string output)
    {
        var (exitCode, text) = EngineCli.Run(args);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{file}: error {code}: ", text);
        Assert.DoesNotContain("   at ", text);
        Assert.False(File.Exists(output), $"{output} was written");
    }

    private static JsonElement ReadReport(string path) => JsonDocument.Parse(File.ReadAllBytes(path)).RootElement.Clone();
}
