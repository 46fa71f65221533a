using System.Diagnostics;
using System.Runtime.InteropServices;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// --onnxruntime-native-dir, the engine half of ModelPruneOnnxRuntimeGpu, with a copy of the CPU library
/// standing in for the GPU build (which is 540 MB). ORT binds its library once per process, so the engine
/// runs in its own process here, as under MSBuild.
/// </summary>
public sealed class NativeDirectoryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public NativeDirectoryTests()
    {
        _model = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_engine_loads_onnx_runtime_from_the_given_folder_and_not_its_own()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Which file the loader opened is read from glibc's LD_DEBUG trace.
        }

        var shipped = ShippedLibrary();
        var copyFolder = _folder.File("ort-copy");
        Directory.CreateDirectory(copyFolder);
        var copy = Path.Combine(copyFolder, OnnxRuntimeNativeLibrary.FileName);
        File.Copy(shipped, copy);

        var (exitCode, output) = RunEngine(new Dictionary<string, string> { ["LD_DEBUG"] = "files" },
            "prune", _model, "-o", _folder.File("out/mlp.onnx"), "--no-cache", "--onnxruntime-native-dir", copyFolder);

        Assert.True(exitCode == 0, output);
        Assert.Contains("ModelPrune: ", output);
        Assert.Contains($"file={copy} ", output);
        Assert.DoesNotContain($"file={shipped} ", output);
    }

    [Fact]
    public void A_folder_without_the_library_is_MP3007_and_nothing_is_written()
    {
        var empty = _folder.File("empty");
        Directory.CreateDirectory(empty);

        var (exitCode, output) = RunEngine(new Dictionary<string, string>(),
            "prune", _model, "-o", _folder.File("out/mlp.onnx"), "--no-cache", "--onnxruntime-native-dir", empty);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"{empty}: error MP3007: The ONNX Runtime native folder '{empty}' holds no {OnnxRuntimeNativeLibrary.FileName}.", output);
        Assert.False(Directory.Exists(_folder.File("out")));
    }

    /// <summary>The CPU library the test output carries for this machine, as the engine's deps.json picks it.</summary>
    private static string ShippedLibrary()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{architecture}", "native", OnnxRuntimeNativeLibrary.FileName);
        Assert.True(File.Exists(path), $"no ONNX Runtime library at {path}");
        return path;
    }

    private static (int ExitCode, string Output) RunEngine(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(host) ? "dotnet" : host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "modelprune.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
