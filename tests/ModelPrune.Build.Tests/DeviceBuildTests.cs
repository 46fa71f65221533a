using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;
using NuGet.Packaging;
using NuGet.Versioning;

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
        // Left empty, as every setting the project does not set: the engine's default (auto) applies.
        Assert.Equal(string.Empty, RequestSetting(project, "Device"));

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

    /// <summary>
    /// The first build with ModelPruneOnnxRuntimeGpu=true restores the GPU package itself. The project's own
    /// nuget.config offers only local feeds, one with a small stand-in package of the GPU package's name and
    /// version, so the restore is real and nothing is fetched from nuget.org.
    /// </summary>
    [Fact]
    public void ModelPruneOnnxRuntimeGpu_restores_the_gpu_package_through_the_project_s_nuget_config()
    {
        var (rid, packageId, library) = GpuPackage();
        if (rid is null)
        {
            return;
        }

        var project = ConsumerProject.Create(_package, _log, "DeviceGpuRestore");
        var standInFeed = Path.Combine(project.Directory, "stand-in-feed");
        Directory.CreateDirectory(standInFeed);
        var builder = new PackageBuilder { Id = packageId!, Version = NuGetVersion.Parse("1.31.0"), Description = "Test stand-in: the CPU build of ONNX Runtime." };
        builder.Authors.Add("ModelPrune tests");
        builder.Files.Add(new PhysicalPackageFile { SourcePath = PackagedCpuLibrary(rid, library!), TargetPath = $"runtimes/{rid}/native/{library}" });
        using (var stream = File.Create(Path.Combine(standInFeed, $"{packageId}.1.31.0.nupkg")))
        {
            builder.Save(stream);
        }

        var packages = Path.Combine(project.Directory, "nuget-packages");
        File.WriteAllText(Path.Combine(project.Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="modelprune-test-feed" value="{SecurityElement.Escape(_package.FeedDirectory)}" />
                <add key="stand-in" value="{SecurityElement.Escape(standInFeed)}" />
              </packageSources>
              <config>
                <add key="globalPackagesFolder" value="{SecurityElement.Escape(packages)}" />
              </config>
            </configuration>
            """);
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Device="auto" />""");
        project.WithProperties("<ModelPruneOnnxRuntimeGpu>true</ModelPruneOnnxRuntimeGpu>");

        // NUGET_PACKAGES would win over the config's folder: this project has a folder of its own.
        var result = project.RunWithEnvironment(new Dictionary<string, string?> { ["NUGET_PACKAGES"] = null }, "build", project.ProjectPath, "--disable-build-servers", "-nodeReuse:false");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains($"ModelPrune: downloading {packageId} 1.31.0", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(packages, packageId!.ToLowerInvariant(), "1.31.0", "runtimes", rid, "native", library!)));
        Assert.Contains(result.Lines, line => line.Contains("warning MP3005", StringComparison.Ordinal));
        Assert.StartsWith("cpu (cuda unavailable: ", RunDevice(project));
    }

    private static (string? Rid, string? PackageId, string? Library) GpuPackage() =>
        OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64 ? ("linux-x64", "Microsoft.ML.OnnxRuntime.Gpu.Linux", "libonnxruntime.so")
        : OperatingSystem.IsWindows() && RuntimeInformation.OSArchitecture == Architecture.X64 ? ("win-x64", "Microsoft.ML.OnnxRuntime.Gpu.Windows", "onnxruntime.dll")
        : (null, null, null);

    /// <summary>The CPU library the package carries for <paramref name="rid"/>, read from the .nupkg itself.</summary>
    private string PackagedCpuLibrary(string rid, string library)
    {
        var entry = $"tools/engine/runtimes/{rid}/native/{library}";
        var folder = Path.Combine(_package.WorkDirectory, "cpu-library-" + Guid.NewGuid().ToString("N")[..8]);
        using (var reader = new PackageArchiveReader(_package.PackagePath))
        {
            reader.CopyFiles(folder, new[] { entry }, (source, target, stream) =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var file = File.Create(target);
                stream.CopyTo(file);
                return target;
            }, NuGet.Common.NullLogger.Instance, CancellationToken.None);
        }

        var path = Path.Combine(folder, entry);
        Assert.True(File.Exists(path), $"the package holds no {entry}");
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
