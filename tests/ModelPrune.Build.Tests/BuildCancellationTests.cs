using System.Diagnostics;
using System.Text;
using ModelPrune.Build.Tests.Infrastructure;
using ModelPrune.Fixtures;
using ModelPrune.Tests.Shared;

namespace ModelPrune.Build.Tests;

/// <summary>
/// A build cancelled while the engine prunes (Ctrl+C on `dotnet build`, Visual Studio's Cancel): MSBuild cancels the
/// task, which asks the engine to stop with SIGTERM before anything is killed, so the engine removes what it staged
/// and says why (MP3010). ToolTask alone killed the engine at once: no MP3010, and the engine had no chance to clean up.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class BuildCancellationTests
{
    private static readonly TimeSpan StagingLimit = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(60);

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public BuildCancellationTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Ctrl_C_on_dotnet_build_while_the_engine_stages_its_output_stops_it_with_MP3010_and_leaves_no_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGINT to one process is a POSIX notion; Windows consoles signal the whole group.
        }

        var project = ConsumerProject.Create(_package, _log, "Cancelled");
        // 96 MB of weights: the engine spends seconds with its output staged (writing, compressing, evaluating).
        project.AddFile("Models/wide.onnx", FixtureModels.Serialize(QuantizationFixtures.MatMulChain(13, 1024, 4096, 4096, 1024)));
        project.WithItems("""<PruneModel Include="Models/wide.onnx" Sparsity="0.5" />""");

        var output = new StringBuilder();
        using var build = new Process { StartInfo = project.BuildStartInfo() };
        build.OutputDataReceived += (_, e) => ProcessSignals.Append(output, e.Data);
        build.ErrorDataReceived += (_, e) => ProcessSignals.Append(output, e.Data);
        build.Start();
        build.BeginOutputReadLine();
        build.BeginErrorReadLine();
        try
        {
            var staged = ProcessSignals.Poll(() => build.HasExited || StagedFiles(project).Length > 0, StagingLimit);
            Assert.True(staged && !build.HasExited, $"the engine staged nothing while the build ran (exited: {build.HasExited}):\n{Text(output)}");

            // Only the dotnet process: the engine hears of it through MSBuild's cancellation of the task, not from a terminal.
            ProcessSignals.Send("INT", build.Id);
            Assert.True(build.WaitForExit(ExitLimit), $"the build still ran {ExitLimit.TotalSeconds} s after SIGINT:\n{Text(output)}");
            build.WaitForExit();
        }
        finally
        {
            if (!build.HasExited) build.Kill(entireProcessTree: true);
        }

        var text = Text(output);
        _log.WriteLine(text);
        Assert.True(build.ExitCode != 0, "the cancelled build succeeded:\n" + text);
        Assert.Contains("error MP3010", text, StringComparison.Ordinal);
        Assert.DoesNotContain("MP9001", text, StringComparison.Ordinal);
        Assert.Empty(StagedFiles(project));
        Assert.Empty(Directory.GetFiles(project.ModelPruneDirectory, "wide.onnx", SearchOption.AllDirectories));
        var cacheStaging = Path.Combine(project.CacheDirectory, "v1", "tmp");
        Assert.Empty(Directory.Exists(cacheStaging) ? Directory.GetFileSystemEntries(cacheStaging) : Array.Empty<string>());
    }

    private static string[] StagedFiles(ConsumerProject project) =>
        Directory.Exists(project.ModelPruneDirectory) ? Directory.GetFiles(project.ModelPruneDirectory, "*.tmp", SearchOption.AllDirectories) : Array.Empty<string>();

    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}
