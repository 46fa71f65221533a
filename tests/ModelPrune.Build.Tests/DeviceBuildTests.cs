using System.Runtime.InteropServices;
using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>
/// Device metadata, ModelPruneDevice and the GPU build of ONNX Runtime in real builds, on a machine that
/// runs the engine on the CPU (the package's ONNX Runtime is the CPU build, so this holds on GPU machines
/// too). The GPU package itself (~540 MB) is never downloaded: its folder is planted in the test's own
/// package folder, holding a copy of the CPU library.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class DeviceBuildTests
{
    private const string Summary = "ModelPrune: Models/classifier.onnx -> 50.0% sparse";

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public DeviceBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Device_cuda_without_cuda_fails_the_build_with_MP3006_naming_the_model()
    {
        var project = ConsumerProject.Create(_package, _log, "DeviceCuda");
        var model = project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Device="cuda" />""");

        var result = project.Build();

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains(result.Lines, line => line.Contains(model, StringComparison.Ordinal) && line.Contains("error MP3006", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, line => line.Contains("error MP9", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, line => line.TrimStart().StartsWith("at ModelPrune", StringComparison.Ordinal));
    }

    [Fact]
    public void Auto_runs_on_the_cpu_quietly_and_ModelPruneDevice_cpu_reaches_the_engine()
    {
        var project = ConsumerProject.Create(_package, _log, "DeviceAuto");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");

        var auto = project.Build();

        Assert.True(auto.Succeeded, auto.ToString());
        Assert.Contains(auto.Lines, line => line.Contains(Summary, StringComparison.Ordinal));
        // The fallback is information, below the default verbosity: no noise in every CPU-only build.
        Assert.DoesNotContain("MP3005", auto.Output, StringComparison.Ordinal);
        Assert.StartsWith("cpu (cuda unavailable: ", RunDevice(project));
        Assert.Equal("auto", RequestSetting(project, "Device"));

        // The property is the default of every item; a changed device re-runs the engine, and the result
        // comes from the cache because the device that ran (the CPU) is the same.
        project.WithProperties("<ModelPruneDevice>cpu</ModelPruneDevice>");
        var cpu = project.Build();

        Assert.True(cpu.Succeeded, cpu.ToString());
        Assert.Contains(cpu.Lines, line => line.Contains(Summary, StringComparison.Ordinal) && line.Contains("from cache", StringComparison.Ordinal));
        Assert.Equal("cpu", RunDevice(project));
        Assert.Equal("cpu", RequestSetting(project, "Device"));
    }

    [Fact]
    public void ModelPruneOnnxRuntimeGpu_hands_the_gpu_package_s_native_folder_to_the_engine()
    {
        var rid = OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64 ? "linux-x64"
            : OperatingSystem.IsWindows() && RuntimeInformation.OSArchitecture == Architecture.X64 ? "win-x64"
            : null;
        if (rid is null)
        {
            return; // NuGet has the GPU build for linux-x64 and win-x64 only (elsewhere the targets warn MP3008).
        }

        var (package, library) = rid == "linux-x64"
            ? ("microsoft.ml.onnxruntime.gpu.linux", "libonnxruntime.so")
            : ("microsoft.ml.onnxruntime.gpu.windows", "onnxruntime.dll");
        var nativeFolder = Path.Combine(_package.PackagesDirectory, package, "1.31.0", "runtimes", rid, "native");
        Directory.CreateDirectory(nativeFolder);
        File.Copy(PackagedCpuLibrary(rid, library), Path.Combine(nativeFolder, library), overwrite: true);

        var project = ConsumerProject.Create(_package, _log, "DeviceGpuBuild");
        var model = project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");
        project.WithProperties("<ModelPruneOnnxRuntimeGpu>true</ModelPruneOnnxRuntimeGpu>");

        var gpu = project.Build();

        Assert.True(gpu.Succeeded, gpu.ToString());
        Assert.DoesNotContain("downloading", gpu.Output, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(nativeFolder) + Path.DirectorySeparatorChar, RequestRoot(project).GetProperty("onnxRuntimeNativeDirectory").GetString());
        // The engine loaded the planted library (a CPU build): with the GPU build asked for, falling back is a warning.
        Assert.Contains(gpu.Lines, line => line.Contains(model, StringComparison.Ordinal) && line.Contains("warning MP3005", StringComparison.Ordinal));
        Assert.StartsWith("cpu (cuda unavailable: ", RunDevice(project));

        // A folder without the library is the engine's coded error, naming the folder.
        var empty = Path.Combine(project.Directory, "no-onnxruntime");
        Directory.CreateDirectory(empty);
        project.WithProperties($"<ModelPruneOnnxRuntimeNativeDir>{empty}</ModelPruneOnnxRuntimeNativeDir>");

        var missing = project.Build();

        Assert.False(missing.Succeeded, missing.ToString());
        Assert.Contains(missing.Lines, line => line.Contains(empty, StringComparison.Ordinal) && line.Contains("error MP3007", StringComparison.Ordinal));
    }

    private string PackagedCpuLibrary(string rid, string library)
    {
        var path = Path.Combine(_package.PackagesDirectory, "modelprune.build", _package.Version, "tools", "engine", "runtimes", rid, "native", library);
        Assert.True(File.Exists(path), $"the package's CPU library is not at {path}");
        return path;
    }

    private static string RunDevice(ConsumerProject project)
    {
        var runInfo = Directory.GetFiles(project.ModelPruneDirectory, "classifier.prune.run.json", SearchOption.AllDirectories).Single();
        return JsonDocument.Parse(File.ReadAllBytes(runInfo)).RootElement.GetProperty("device").GetString()!;
    }

    private static JsonElement RequestRoot(ConsumerProject project) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(project.ModelPruneDirectory, "request.json"))).RootElement;

    private static string RequestSetting(ConsumerProject project, string name) =>
        RequestRoot(project).GetProperty("models")[0].GetProperty("settings").GetProperty(name).GetString()!;
}
