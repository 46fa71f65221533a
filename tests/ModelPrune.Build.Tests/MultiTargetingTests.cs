using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

[Collection(PackageCollection.Name)]
public sealed class MultiTargetingTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public MultiTargetingTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    /// <summary>net8.0 is the oldest supported LTS; its targeting pack comes from the machine's package folder or nuget.org.</summary>
    [Fact]
    public void A_multi_targeted_project_prunes_once_and_embeds_in_every_target_framework()
    {
        var project = ConsumerProject.Create(_package, _log, "MultiTarget");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithTargetFrameworks("net8.0;net10.0");
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Sparsity="0.5" />""");

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        Assert.Single(result.Lines, line => line.Contains("ModelPrune: Models/classifier.onnx -> ", StringComparison.Ordinal));
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            var resources = EmbeddedResources.Read(project.OutputAssembly(framework));
            Assert.Contains("classifier.onnx", resources.Keys);
            Assert.Contains("classifier.prune.json", resources.Keys);
        }

        var clean = project.Clean();
        Assert.True(clean.Succeeded, clean.ToString());
        Assert.False(Directory.Exists(project.ModelPruneDirectory), "dotnet clean left " + project.ModelPruneDirectory);
    }

    /// <summary>
    /// Two projects referencing this one for different frameworks build its inner builds directly, at
    /// the same time, without the outer build: they share the output folder, and only one may prune.
    /// </summary>
    [Fact]
    public async Task Concurrent_builds_of_two_target_frameworks_prune_once()
    {
        var project = ConsumerProject.Create(_package, _log, "Concurrent");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithTargetFrameworks("net8.0;net10.0");
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Sparsity="0.5" />""");
        var restore = project.Run("restore", project.ProjectPath, "--disable-build-servers");
        Assert.True(restore.Succeeded, restore.ToString());

        var builds = await Task.WhenAll(new[] { "net8.0", "net10.0" }
            .Select(framework => Task.Run(() => project.Build("--no-restore", "-f", framework))));

        foreach (var build in builds)
        {
            Assert.True(build.Succeeded, build.ToString());
        }

        var summaries = builds.SelectMany(build => build.Lines)
            .Where(line => line.Contains("ModelPrune: Models/classifier.onnx -> ", StringComparison.Ordinal));
        Assert.Single(summaries);
        Assert.Contains("classifier.onnx", EmbeddedResources.Read(project.OutputAssembly("net8.0")).Keys);
        Assert.Contains("classifier.onnx", EmbeddedResources.Read(project.OutputAssembly("net10.0")).Keys);
    }
}
