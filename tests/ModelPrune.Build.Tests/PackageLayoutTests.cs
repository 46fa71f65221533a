using System.Diagnostics;
using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;
using NuGet.Packaging;

namespace ModelPrune.Build.Tests;

/// <summary>What the .nupkg holds, read back with NuGet's own reader.</summary>
[Collection(PackageCollection.Name)]
public sealed class PackageLayoutTests
{
    private static readonly string[] NativeRuntimes = { "linux-x64", "linux-arm64", "osx-arm64", "win-x64", "win-arm64" };

    private readonly PackageFixture _package;

    public PackageLayoutTests(PackageFixture package) => _package = package;

    [Fact]
    public void Package_holds_the_targets_the_task_and_the_engine_with_its_cpu_natives()
    {
        using var reader = new PackageArchiveReader(_package.PackagePath);
        var files = reader.GetFiles().Select(file => file.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);

        Assert.Subset(files, new HashSet<string>(StringComparer.Ordinal)
        {
            "build/ModelPrune.Build.props",
            "build/ModelPrune.Build.targets",
            "build/ModelPrune.Build.Version.props",
            "buildTransitive/ModelPrune.Build.props",
            "buildTransitive/ModelPrune.Build.targets",
            "buildMultiTargeting/ModelPrune.Build.props",
            "buildMultiTargeting/ModelPrune.Build.targets",
            "tasks/netstandard2.0/ModelPrune.Tasks.dll",
            "tools/engine/modelprune.dll",
            "tools/engine/modelprune.deps.json",
            "tools/engine/modelprune.runtimeconfig.json",
            "tools/engine/Microsoft.ML.OnnxRuntime.dll",
            "tools/engine/runtimes/linux-x64/native/libonnxruntime.so",
            "tools/engine/runtimes/linux-arm64/native/libonnxruntime.so",
            "tools/engine/runtimes/osx-arm64/native/libonnxruntime.dylib",
            "tools/engine/runtimes/win-x64/native/onnxruntime.dll",
            "tools/engine/runtimes/win-arm64/native/onnxruntime.dll",
        });

        // Only the CPU natives of the desktop/server RIDs: no mobile artifacts, import libraries or apphost.
        var runtimes = files.Where(file => file.StartsWith("tools/engine/runtimes/", StringComparison.Ordinal))
            .Select(file => file.Split('/')[3])
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(NativeRuntimes.Order(StringComparer.Ordinal), runtimes.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(files, file => file.EndsWith(".lib", StringComparison.Ordinal) || file.EndsWith(".aar", StringComparison.Ordinal) || file.Contains("xcframework", StringComparison.Ordinal));
        Assert.DoesNotContain(files, file => file.Contains("cuda", StringComparison.OrdinalIgnoreCase) || file.Contains("tensorrt", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("tools/engine/modelprune", files);
        Assert.DoesNotContain("tools/engine/modelprune.exe", files);
    }

    [Fact]
    public void Nothing_in_the_package_flows_into_the_consumers_compile_or_runtime_assets()
    {
        using var reader = new PackageArchiveReader(_package.PackagePath);

        Assert.True(reader.GetDevelopmentDependency());
        Assert.All(reader.GetPackageDependencies(), group => Assert.Empty(group.Packages));
        Assert.Empty(reader.GetLibItems());
        Assert.Empty(reader.GetReferenceItems());
        Assert.Empty(reader.GetFrameworkItems());
        Assert.Empty(reader.GetContentItems());
        Assert.DoesNotContain(reader.GetFiles(), file => file.StartsWith("runtimes/", StringComparison.Ordinal) || file.StartsWith("contentFiles/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_engine_carries_the_package_version_and_rolls_forward_to_newer_runtimes()
    {
        var folder = Path.Combine(_package.WorkDirectory, "layout-" + Guid.NewGuid().ToString("N")[..8]);
        using (var reader = new PackageArchiveReader(_package.PackagePath))
        {
            reader.CopyFiles(folder, new[] { "tools/engine/modelprune.dll", "tools/engine/modelprune.runtimeconfig.json", "build/ModelPrune.Build.Version.props" },
                (source, target, stream) =>
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    using var file = File.Create(target);
                    stream.CopyTo(file);
                    return target;
                }, NuGet.Common.NullLogger.Instance, CancellationToken.None);
        }

        var version = FileVersionInfo.GetVersionInfo(Path.Combine(folder, "tools", "engine", "modelprune.dll")).ProductVersion;
        Assert.StartsWith(_package.Version, version);

        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tools", "engine", "modelprune.runtimeconfig.json")));
        var options = runtimeConfig.RootElement.GetProperty("runtimeOptions");
        Assert.Equal("Major", options.GetProperty("rollForward").GetString());
        Assert.Equal("net8.0", options.GetProperty("tfm").GetString());

        Assert.Contains($"<_ModelPrunePackageVersion>{_package.Version}</_ModelPrunePackageVersion>", File.ReadAllText(Path.Combine(folder, "build", "ModelPrune.Build.Version.props")), StringComparison.Ordinal);
    }
}
