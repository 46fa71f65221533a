using System.Text;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>Every failure reaches the user as a coded MSBuild error naming the file, with nothing half-written left behind.</summary>
[Collection(PackageCollection.Name)]
public sealed class BuildErrorTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public BuildErrorTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Bad_items_fail_with_the_engines_coded_errors_and_no_earlier_msbuild_error()
    {
        var project = ConsumerProject.Create(_package, _log, "BadItems");
        var model = project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""
            <PruneModel Include="Models/classifier.onnx" Sparsity="abc" />
            <PruneModel Include="Models/missing.onnx" />
            """);

        var result = project.Build();

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains(result.Lines, line => line.Contains(model, StringComparison.Ordinal) && line.Contains("error MP1003", StringComparison.Ordinal));
        Assert.Contains(result.Lines, line => line.Contains(Path.Combine(project.Directory, "Models", "missing.onnx"), StringComparison.Ordinal) && line.Contains("error MP1001", StringComparison.Ordinal));
        // The missing model must reach the engine: no MSBuild or compiler error about the file first.
        Assert.DoesNotContain(result.Lines, line => line.Contains("error MSB", StringComparison.Ordinal) || line.Contains("error CS", StringComparison.Ordinal));
        AssertNoOutputs(project);
    }

    [Fact]
    public void An_engine_that_dies_gives_MP9001_for_every_model_and_leaves_no_temporary_files()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The stand-in host is a shell script.
        }

        var project = ConsumerProject.Create(_package, _log, "Crash");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Models/second.onnx", TestModels.Classifier);
        project.WithItems("""
            <PruneModel Include="Models/classifier.onnx" />
            <PruneModel Include="Models/second.onnx" />
            """);

        // Stands in for the dotnet host: half-writes an output under a temporary name, then is killed
        // the way the out-of-memory killer would (SIGKILL, exit 137).
        var host = project.AddFile("fake-dotnet.sh", Encoding.UTF8.GetBytes($$"""
            #!/bin/sh
            for folder in "{{project.ModelPruneDirectory}}"/*/; do echo partial > "${folder}model.onnx.0123.tmp"; done
            echo "Unhandled exception. System.OutOfMemoryException" >&2
            kill -9 $$
            """));
        File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = project.Build($"-p:ModelPruneDotnetHostPath={host}");

        Assert.False(result.Succeeded, result.ToString());
        var crashes = result.Lines.Where(line => line.Contains("error MP9001", StringComparison.Ordinal)).Distinct().ToArray();
        Assert.Contains(crashes, line => line.Contains("Models/classifier.onnx", StringComparison.Ordinal));
        Assert.Contains(crashes, line => line.Contains("Models/second.onnx", StringComparison.Ordinal));
        Assert.Contains("exit code 137", result.Output, StringComparison.Ordinal);
        Assert.Contains("OutOfMemoryException", result.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(project.ModelPruneDirectory, "*.tmp", SearchOption.AllDirectories));
        AssertNoOutputs(project);
    }

    [Fact]
    public void A_missing_engine_gives_MP3003()
    {
        var project = ConsumerProject.Create(_package, _log, "NoEngine");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");
        var missingEngine = Path.Combine(project.Directory, "no-such-folder", "modelprune.dll");

        var result = project.Build($"-p:ModelPruneEnginePath={missingEngine}");

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains(result.Lines, line => line.Contains("error MP3003", StringComparison.Ordinal) && line.Contains(missingEngine, StringComparison.Ordinal));
    }

    [Fact]
    public void Item_metadata_the_targets_check_fails_before_the_engine_starts()
    {
        var project = ConsumerProject.Create(_package, _log, "ItemChecks");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Other/classifier.onnx", TestModels.Classifier);

        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Embed="sometimes" />""");
        var invalidEmbed = project.Build();
        Assert.False(invalidEmbed.Succeeded, invalidEmbed.ToString());
        Assert.Contains(invalidEmbed.Lines, line => line.Contains("error MP1030", StringComparison.Ordinal) && line.Contains(project.ProjectPath, StringComparison.Ordinal));

        project.WithItems("""
            <PruneModel Include="Models/classifier.onnx" Sparsity="0.3" />
            <PruneModel Include="Models/classifier.onnx" Sparsity="0.5" />
            """);
        var duplicate = project.Build();
        Assert.False(duplicate.Succeeded, duplicate.ToString());
        Assert.Contains(duplicate.Lines, line => line.Contains("error MP1031", StringComparison.Ordinal) && line.Contains("Models/classifier.onnx", StringComparison.Ordinal));

        project.WithItems("""
            <PruneModel Include="Models/classifier.onnx" />
            <PruneModel Include="Other/classifier.onnx" />
            """);
        var sameResourceName = project.Build();
        Assert.False(sameResourceName.Succeeded, sameResourceName.ToString());
        Assert.Contains(sameResourceName.Lines, line => line.Contains("error MP1032", StringComparison.Ordinal) && line.Contains("'classifier.onnx'", StringComparison.Ordinal));

        Assert.DoesNotContain("Task \"PruneModels\"", invalidEmbed.Output + duplicate.Output + sameResourceName.Output, StringComparison.Ordinal);
        AssertNoOutputs(project);
    }

    /// <summary>Only the bookkeeping may remain (stamps, the request, the lock file): no model, no report.</summary>
    private static void AssertNoOutputs(ConsumerProject project)
    {
        if (!Directory.Exists(project.ModelPruneDirectory))
        {
            return;
        }

        // Per-model folders hold the outputs; the request and lock files sit above them.
        var outputs = Directory.GetDirectories(project.ModelPruneDirectory)
            .SelectMany(folder => Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
            .Where(file => !file.EndsWith(".prune.stamp", StringComparison.Ordinal))
            .ToArray();
        Assert.True(outputs.Length == 0, "left behind: " + string.Join(", ", outputs));
    }
}
