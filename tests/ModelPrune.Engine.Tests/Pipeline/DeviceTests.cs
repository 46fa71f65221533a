using System.Text.Json;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// Device="auto|cpu|cuda" through the command line and the batch request, on the CPU build of ONNX Runtime
/// the engine ships (no CUDA on any machine, so these hold on a GPU machine as well).
/// </summary>
public sealed class DeviceTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public DeviceTests()
    {
        _model = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Auto_prunes_on_the_cpu_says_why_and_keeps_the_reason_out_of_the_report()
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("auto/mlp.onnx"), "--no-cache");

        Assert.True(exitCode == 0, text);
        Assert.Contains($"{_model}: info MP3005: Device=\"auto\": ONNX Runtime runs on the CPU", text);
        Assert.Equal("cpu (cuda unavailable: the CPU build of ONNX Runtime has no CUDA execution provider)", RunDevice("auto/mlp.prune.run.json"));
        Assert.DoesNotContain("MP3005", File.ReadAllText(_folder.File("auto/mlp.prune.json")));
        Assert.Contains("| Device | cpu (cuda unavailable: ", File.ReadAllText(_folder.File("auto/mlp.prune.md")));
    }

    [Fact]
    public void Cpu_never_tries_cuda_and_says_nothing_about_it()
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("cpu/mlp.onnx"), "--no-cache", "--device", "CPU");

        Assert.True(exitCode == 0, text);
        Assert.DoesNotContain("MP3005", text);
        Assert.Equal("cpu", RunDevice("cpu/mlp.prune.run.json"));
    }

    [Theory]
    [InlineData("magnitude")]
    [InlineData("wanda")]
    public void Cuda_without_cuda_is_MP3006_naming_the_model_with_no_stack_trace_and_no_output(string method)
    {
        var output = _folder.File($"cuda-{method}/mlp.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--no-cache", "--device", "cuda", "--method", method, "--calibration", "synthetic");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("MP3006", StringComparison.Ordinal));
        Assert.StartsWith($"{_model}: error MP3006: Device=\"cuda\" was requested, but ONNX Runtime cannot create a CUDA session here: ", line);
        Assert.DoesNotContain("   at ", text);
        Assert.False(Directory.Exists(Path.GetDirectoryName(output)) && Directory.EnumerateFiles(Path.GetDirectoryName(output)!).Any());
    }

    [Fact]
    public void An_unknown_device_is_MP1046()
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("gpu/mlp.onnx"), "--no-cache", "--device", "gpu");

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"{_model}: error MP1046: Device 'gpu' is not known.", text);
    }

    /// <summary>The cache key holds the device that ran, not the one asked for: auto and cpu on a CPU-only machine are one entry.</summary>
    [Fact]
    public void Auto_and_cpu_share_a_cache_entry_where_auto_runs_on_the_cpu()
    {
        var cache = _folder.File("cache");
        var (first, firstText) = EngineCli.Run("prune", _model, "-o", _folder.File("c1/mlp.onnx"), "--cache-dir", cache, "--device", "auto");
        var (second, secondText) = EngineCli.Run("prune", _model, "-o", _folder.File("c2/mlp.onnx"), "--cache-dir", cache, "--device", "cpu");

        Assert.True(first == 0, firstText);
        Assert.True(second == 0, secondText);
        Assert.DoesNotContain("from cache", firstText);
        Assert.Contains("from cache", secondText);
        Assert.Equal("cpu", RunDevice("c2/mlp.prune.run.json"));
    }

    [Fact]
    public void The_batch_request_carries_the_device_per_model_and_the_native_folder_per_request()
    {
        var request = _folder.File("request.json");
        File.WriteAllText(request, JsonSerializer.Serialize(new
        {
            cacheEnabled = false,
            models = new[] { Job("cuda", new { Device = "cuda" }), Job("cpu", new { Device = "cpu" }) },
        }));

        var (exitCode, text) = EngineCli.Run("batch", request);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{_model}: error MP3006: ", text);
        Assert.Contains("ModelPrune: Models/cpu.onnx -> ", text);
        Assert.Equal("cpu", RunDevice("out/cpu/cpu.prune.run.json"));

        var missing = _folder.File("no-native-folder");
        File.WriteAllText(request, JsonSerializer.Serialize(new
        {
            cacheEnabled = false,
            onnxRuntimeNativeDirectory = missing,
            models = new[] { Job("gpu", new { Device = "auto" }) },
        }));

        (exitCode, text) = EngineCli.Run("batch", request);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"{missing}: error MP3007: The ONNX Runtime native folder '{missing}' does not exist.", text);
    }

    private string RunDevice(string runInfo) =>
        JsonDocument.Parse(File.ReadAllBytes(_folder.File(runInfo))).RootElement.GetProperty("device").GetString()!;

    private object Job(string name, object settings) => RequestJob.For(_folder, _model, $"Models/{name}.onnx", name, settings);
}
