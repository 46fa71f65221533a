using System.Text.Json;
using ModelPrune.Engine.Caching;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

public sealed class CacheTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_second_run_with_the_same_inputs_comes_from_the_cache_with_identical_results()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");

        var first = EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache);
        var second = EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--cache-dir", cache);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain("from cache", first.Output);
        Assert.Contains("from cache", second.Output);
        Assert.Equal("miss", CacheStatus(_folder.File("a/mlp.prune.run.json")));
        Assert.Equal("hit", CacheStatus(_folder.File("b/mlp.prune.run.json")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.onnx")), File.ReadAllBytes(_folder.File("b/mlp.onnx")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.prune.json")), File.ReadAllBytes(_folder.File("b/mlp.prune.json")));
        // The summary behind the typed accessors is rewritten from the cached report: the same bytes too.
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.prune.summary")), File.ReadAllBytes(_folder.File("b/mlp.prune.summary")));
    }

    [Fact]
    public void The_same_model_under_other_names_is_a_hit_whose_report_names_this_run_s_files()
    {
        var first = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var renamed = ModelFiles.Write(_folder, "renamed.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");

        EngineCli.Run("prune", first, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache);
        var second = EngineCli.Run("prune", renamed, "-o", _folder.File("b/small.onnx"), "--cache-dir", cache);
        EngineCli.Run("prune", renamed, "-o", _folder.File("c/small.onnx"), "--no-cache");

        Assert.Contains("from cache", second.Output);
        var report = JsonDocument.Parse(File.ReadAllBytes(_folder.File("b/small.prune.json"))).RootElement;
        Assert.Equal("renamed.onnx", report.GetProperty("input").GetProperty("fileName").GetString());
        Assert.Equal("small.onnx", report.GetProperty("output").GetProperty("fileName").GetString());
        Assert.Equal(File.ReadAllBytes(_folder.File("c/small.prune.json")), File.ReadAllBytes(_folder.File("b/small.prune.json")));
        Assert.Equal(File.ReadAllBytes(_folder.File("c/small.prune.summary")), File.ReadAllBytes(_folder.File("b/small.prune.summary")));
    }

    [Fact]
    public void Changing_a_setting_misses_the_cache()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");

        EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache, "--sparsity", "0.3");
        var second = EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--cache-dir", cache, "--sparsity", "0.31");

        Assert.DoesNotContain("from cache", second.Output);
    }

    [Fact]
    public void A_corrupt_entry_is_pruned_again_with_a_warning_and_replaced()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");
        EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache);
        var cachedModel = Directory.GetFiles(cache, "model.onnx", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(cachedModel);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(cachedModel, bytes);

        var second = EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--cache-dir", cache);
        var third = EngineCli.Run("prune", input, "-o", _folder.File("c/mlp.onnx"), "--cache-dir", cache);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("warning MP3002", second.Output);
        Assert.Equal("replaced-corrupt", CacheStatus(_folder.File("b/mlp.prune.run.json")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.onnx")), File.ReadAllBytes(_folder.File("b/mlp.onnx")));
        Assert.Contains("from cache", third.Output);
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.onnx")), File.ReadAllBytes(_folder.File("c/mlp.onnx")));
    }

    /// <summary>Hashes that match a report that does not parse (an entry of a broken engine) are as corrupt as a flipped bit.</summary>
    [Fact]
    public void An_entry_whose_report_does_not_parse_is_pruned_again_with_MP3002_not_an_internal_error()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");
        EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache);
        var cachedReport = Directory.GetFiles(cache, "report.json", SearchOption.AllDirectories).Single();
        var broken = "{\"schema\": \"modelprune.report/2\"}"u8.ToArray();
        File.WriteAllBytes(cachedReport, broken);
        var entry = Path.Combine(Path.GetDirectoryName(cachedReport)!, "entry.txt");
        var reportHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(broken)).ToLowerInvariant();
        File.WriteAllLines(entry, File.ReadAllLines(entry).Select(line => line.StartsWith("report=", StringComparison.Ordinal) ? "report=" + reportHash : line));

        var second = EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--cache-dir", cache);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("warning MP3002", second.Output);
        Assert.DoesNotContain("MP9", second.Output);
        Assert.Equal("replaced-corrupt", CacheStatus(_folder.File("b/mlp.prune.run.json")));
        Assert.Equal(File.ReadAllBytes(_folder.File("a/mlp.prune.json")), File.ReadAllBytes(_folder.File("b/mlp.prune.json")));
    }

    /// <summary>Two engine builds with one version number must not share results: the key holds the build's identity.</summary>
    [Fact]
    public void The_cache_key_holds_the_engine_build_not_only_its_version()
    {
        Assert.StartsWith(EngineVersion.Current + "+", EngineVersion.BuildIdentity);
        Assert.Contains(typeof(EngineVersion).Assembly.ManifestModule.ModuleVersionId.ToString("N"), EngineVersion.BuildIdentity);
        Assert.NotEqual(
            CacheKey.Compute("model", "settings", EngineVersion.BuildIdentity),
            CacheKey.Compute("model", "settings", EngineVersion.Current + "+" + Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public void An_unwritable_cache_folder_warns_and_the_run_still_succeeds()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var notAFolder = _folder.File("cache-is-a-file");
        File.WriteAllText(notAFolder, "x");

        var (exitCode, text) = EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", notAFolder);

        Assert.Equal(0, exitCode);
        Assert.Contains("warning MP3001", text);
        Assert.True(File.Exists(_folder.File("a/mlp.onnx")));
    }

    /// <summary>
    /// The original's compressed size is measured once per model content and read by every later build, whatever its
    /// settings: a record that says otherwise (but is intact) is believed, and a damaged one is measured again.
    /// </summary>
    [Fact]
    public void The_original_models_compressed_size_is_kept_by_content_and_read_by_later_builds()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cache = _folder.File("cache");
        Assert.Equal(0, EngineCli.Run("prune", input, "-o", _folder.File("a/mlp.onnx"), "--cache-dir", cache, "--sparsity", "0.3").ExitCode);
        var measured = GzipBefore(_folder.File("a/mlp.prune.json"));
        var record = Assert.Single(Directory.GetFiles(Path.Combine(cache, "v1", "sizes"), "*.gzip-blocks", SearchOption.AllDirectories));
        Assert.Equal(measured, GzipBlocks.Deserialize(File.ReadAllText(record))!.Total);

        // An intact record with another total: the next build (other settings, so no cache hit) takes it as it is.
        var text = File.ReadAllText(record);
        var body = text[..text.IndexOf("total=", StringComparison.Ordinal)];
        var altered = GzipBlocks.Deserialize(text)!.Serialize().Replace($"total={measured}\n", $"total={measured + 1000}\n", StringComparison.Ordinal);
        File.WriteAllText(record, RecomputeCheck(altered));
        Assert.Equal(0, EngineCli.Run("prune", input, "-o", _folder.File("b/mlp.onnx"), "--cache-dir", cache, "--sparsity", "0.4").ExitCode);
        Assert.Equal(measured + 1000, GzipBefore(_folder.File("b/mlp.prune.json")));

        // A damaged one is measured again and replaced.
        File.WriteAllText(record, body + "total=1\ncheck=0000000000000000\n");
        Assert.Equal(0, EngineCli.Run("prune", input, "-o", _folder.File("c/mlp.onnx"), "--cache-dir", cache, "--sparsity", "0.5").ExitCode);
        Assert.Equal(measured, GzipBefore(_folder.File("c/mlp.prune.json")));
        Assert.Equal(measured, GzipBlocks.Deserialize(File.ReadAllText(record))!.Total);
    }

    private static long GzipBefore(string reportPath) =>
        JsonDocument.Parse(File.ReadAllBytes(reportPath)).RootElement.GetProperty("cost").GetProperty("gzipBytesBefore").GetInt64();

    /// <summary>The record's last line is a checksum of the lines before it: an edit that keeps it intact recomputes it.</summary>
    private static string RecomputeCheck(string serialized)
    {
        var body = serialized[..serialized.IndexOf("check=", StringComparison.Ordinal)];
        var check = System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(body)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        return body + "check=" + check + "\n";
    }

    private static string? CacheStatus(string runInfoPath) =>
        JsonDocument.Parse(File.ReadAllBytes(runInfoPath)).RootElement.GetProperty("cache").GetString();
}
