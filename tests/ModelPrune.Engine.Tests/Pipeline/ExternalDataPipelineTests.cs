using System.Text.Json;
using Google.Protobuf;
using ModelPrune.Engine.Tests.Onnx;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>The prune command with ExternalData: the pair of output files, the report, the cache and a stale data file.</summary>
public sealed class ExternalDataPipelineTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Always_writes_the_model_and_its_data_file_which_compute_what_the_one_file_model_computes()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());

        var external = EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--no-cache", "--external-data", "always");
        var inline = EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--no-cache", "--external-data", "never");

        Assert.Equal(0, external.ExitCode);
        Assert.Equal(0, inline.ExitCode);
        Assert.Equal(
            new[] { "mlp.onnx", "mlp.onnx.data", "mlp.prune.html", "mlp.prune.json", "mlp.prune.md", "mlp.prune.run.json", "mlp.prune.summary" },
            Directory.GetFileSystemEntries(_folder.File("a")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(_folder.File("b/mlp.onnx.data")));
        Assert.Equal(OrtModelRunner.Run(_folder.File("b/mlp.onnx")), OrtModelRunner.Run(_folder.File("a/mlp.onnx")));
        // The evaluation loaded the staged pair: the same comparison as the one-file model's.
        var externalReport = JsonDocument.Parse(File.ReadAllBytes(_folder.File("a/mlp.prune.json"))).RootElement;
        var inlineReport = JsonDocument.Parse(File.ReadAllBytes(_folder.File("b/mlp.prune.json"))).RootElement;
        Assert.Equal(inlineReport.GetProperty("evaluation").GetRawText(), externalReport.GetProperty("evaluation").GetRawText());
        Assert.Equal(
            new FileInfo(_folder.File("a/mlp.onnx")).Length + new FileInfo(_folder.File("a/mlp.onnx.data")).Length,
            externalReport.GetProperty("output").GetProperty("bytes").GetInt64());
    }

    /// <summary>
    /// A model read from external data and written with a data file has its pruned tensors written straight into the
    /// staged data file (<see cref="Engine.Onnx.PlannedDataFile"/>): the pair, the output hash and the evaluation are those
    /// of the same model read from one file, whose tensors are pruned in memory and written afterwards.
    /// </summary>
    [Theory]
    [InlineData("magnitude")]
    [InlineData("global-magnitude")]
    public void A_mapped_model_pruned_into_its_output_data_file_gives_the_pair_the_one_file_model_gives(string method)
    {
        var proto = QuantizationFixtures.MatMulChain(5, 64, 256, 128, 64);
        var oneFile = ModelFiles.Write(_folder, "chain.onnx", proto);
        var mapped = _folder.File("in/chain.onnx");
        Directory.CreateDirectory(_folder.File("in"));
        Engine.Onnx.OnnxModelWriter.WriteWithExternalData(proto, mapped, mapped + ".data");
        var userData = File.ReadAllBytes(mapped + ".data");

        var fromMemory = EngineCli.Run("prune", oneFile, "-o", _folder.File("a/chain.onnx"), "--no-cache", "--external-data", "always", "--method", method, "--sparsity", "0.6");
        var fromMapping = EngineCli.Run("prune", mapped, "-o", _folder.File("b/chain.onnx"), "--no-cache", "--external-data", "always", "--method", method, "--sparsity", "0.6");

        Assert.True(fromMemory.ExitCode == 0, fromMemory.Output);
        Assert.True(fromMapping.ExitCode == 0, fromMapping.Output);
        Assert.Equal(File.ReadAllBytes(_folder.File("a/chain.onnx")), File.ReadAllBytes(_folder.File("b/chain.onnx")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/chain.onnx.data")), File.ReadAllBytes(_folder.File("b/chain.onnx.data")));
        var memoryReport = JsonDocument.Parse(File.ReadAllBytes(_folder.File("a/chain.prune.json"))).RootElement;
        var mappingReport = JsonDocument.Parse(File.ReadAllBytes(_folder.File("b/chain.prune.json"))).RootElement;
        foreach (var part in new[] { "output", "evaluation", "layers", "totals" })
        {
            Assert.Equal(memoryReport.GetProperty(part).GetRawText(), mappingReport.GetProperty(part).GetRawText());
        }

        Assert.Equal(userData, File.ReadAllBytes(mapped + ".data"));
        // Nothing staged is left beside the output.
        Assert.Empty(Directory.GetDirectories(_folder.File("b")));
    }

    /// <summary>The input's size, like its hash and the output's size, covers its data file: the report's sizes compare like with like.</summary>
    [Fact]
    public void A_model_read_with_external_data_reports_the_size_of_both_its_files()
    {
        var folder = _folder.File("in");
        Directory.CreateDirectory(folder);
        FixtureModels.WriteExternalDataModel(folder);
        var model = Path.Combine(folder, FixtureModels.ExternalModelFileName);

        var run = EngineCli.Run("prune", model, "-o", _folder.File("out/model.onnx"), "--no-cache");

        Assert.True(run.ExitCode == 0, run.Output);
        var report = JsonDocument.Parse(File.ReadAllBytes(_folder.File("out/model.prune.json"))).RootElement;
        var both = new FileInfo(model).Length + new FileInfo(Path.Combine(folder, FixtureModels.ExternalWeightsFileName)).Length;
        Assert.Equal(both, report.GetProperty("input").GetProperty("bytes").GetInt64());
        Assert.Equal(both, report.GetProperty("cost").GetProperty("bytesBefore").GetInt64());
    }

    [Fact]
    public void A_cache_hit_restores_both_files()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");

        EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache, "--external-data", "always");
        var second = EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--cache-dir", cache, "--external-data", "always");

        Assert.Contains("from cache", second.Output);
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.onnx")), File.ReadAllBytes(_folder.File("b/mlp.onnx")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.onnx.data")), File.ReadAllBytes(_folder.File("b/mlp.onnx.data")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.prune.json")), File.ReadAllBytes(_folder.File("b/mlp.prune.json")));
        Assert.NotEmpty(OrtModelRunner.Run(_folder.File("b/mlp.onnx")));
    }

    [Fact]
    public void A_tampered_data_file_in_the_cache_is_a_corrupt_entry_pruned_again_with_MP3002()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");
        EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache, "--external-data", "always");
        var cachedData = Directory.GetFiles(cache, "model.data", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(cachedData);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(cachedData, bytes);

        var second = EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--cache-dir", cache, "--external-data", "always");

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("warning MP3002", second.Output);
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.onnx.data")), File.ReadAllBytes(_folder.File("b/mlp.onnx.data")));

        File.Delete(Directory.GetFiles(cache, "model.data", SearchOption.AllDirectories).Single());
        var third = EngineCli.Run("prune", input, "-o", _folder.File("c/mlp.onnx"), "--cache-dir", cache, "--external-data", "always");
        Assert.Contains("warning MP3002", third.Output);
        Assert.True(File.Exists(_folder.File("c/mlp.onnx.data")));
    }

    /// <summary>The stored model names its data file after the output it was written as: another name is pruned again.</summary>
    [Fact]
    public void An_entry_with_a_data_file_of_another_name_is_not_used_for_this_output()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");

        EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache, "--external-data", "always");
        var renamed = EngineCli.Run("prune", input, "-o", _folder.File("b/other.onnx"), "--cache-dir", cache, "--external-data", "always");

        Assert.Equal(0, renamed.ExitCode);
        Assert.DoesNotContain("from cache", renamed.Output);
        Assert.True(File.Exists(_folder.File("b/other.onnx.data")));
        Assert.NotEmpty(OrtModelRunner.Run(_folder.File("b/other.onnx")));
    }

    [Fact]
    public void A_model_now_written_in_one_file_removes_the_data_file_of_the_earlier_run()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");
        var output = _folder.File("out/mlp.onnx");

        EngineCli.Run("prune", input, "-o", output, "--cache-dir", cache, "--external-data", "always");
        Assert.True(File.Exists(output + ".data"));
        var inline = EngineCli.Run("prune", input, "-o", output, "--cache-dir", cache);
        Assert.False(File.Exists(output + ".data"), "the stale data file was left beside a one-file model");

        // A cache hit of the one-file result removes it too.
        EngineCli.Run("prune", input, "-o", output, "--cache-dir", cache, "--external-data", "always");
        var hit = EngineCli.Run("prune", input, "-o", output, "--cache-dir", cache);

        Assert.Equal(0, inline.ExitCode);
        Assert.Contains("from cache", hit.Output);
        Assert.False(File.Exists(output + ".data"));
        Assert.NotEmpty(OrtModelRunner.Run(output));
    }

    [Fact]
    public void An_unknown_value_is_MP1115()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());

        var result = EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--no-cache", "--external-data", "sometimes");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error MP1115", result.Output);
        Assert.False(Directory.Exists(_folder.File("a")) && Directory.GetFileSystemEntries(_folder.File("a")).Length > 0);
    }

    /// <summary>The data file is an output like the others: it may not be a file the run reads.</summary>
    [Fact]
    public void An_output_whose_data_file_is_the_input_model_is_refused()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx.data", FixtureModels.GemmMlp());

        var result = EngineCli.Run("prune", input, "-o", _folder.File("mlp.onnx"), "--no-cache", "--external-data", "always");

        Assert.Contains("error MP1014", result.Output);
        Assert.Equal(FixtureModels.GemmMlp().ToByteArray(), File.ReadAllBytes(input));
    }
}
