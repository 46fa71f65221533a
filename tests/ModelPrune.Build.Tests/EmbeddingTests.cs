using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

[Collection(PackageCollection.Name)]
public sealed class EmbeddingTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public EmbeddingTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Embed_false_copies_the_files_and_LogicalName_renames_the_resources()
    {
        var project = ConsumerProject.Create(_package, _log, "Embedding");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Models/renamed.onnx", TestModels.Classifier);
        project.WithItems("""
            <PruneModel Include="Models/classifier.onnx" Sparsity="0.5" Embed="false" />
            <PruneModel Include="Models/renamed.onnx" Sparsity="0.5" LogicalName="Consumer.Models.model.onnx" ReportLogicalName="Consumer.Models.report.json"
                        ExcludeLayers="no_such_layer" />
            """);

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        // The engine's warnings become MSBuild warnings with code and file (and prove ExcludeLayers reached it).
        Assert.Contains(result.Lines, line => line.Contains(Path.Combine(project.Directory, "Models", "renamed.onnx"), StringComparison.Ordinal)
            && line.Contains("warning MP1010", StringComparison.Ordinal));
        var output = project.OutputFolder();
        var copied = File.ReadAllBytes(Path.Combine(output, "classifier.onnx"));
        Assert.All(OnnxWeights.MatrixSparsity(copied).Values, sparsity => Assert.InRange(sparsity, 0.49, 0.51));
        Assert.True(File.Exists(Path.Combine(output, "classifier.prune.json")));

        var resources = EmbeddedResources.Read(project.OutputAssembly());
        Assert.Equal(new[] { "Consumer.Models.model.onnx", "Consumer.Models.report.json" }, resources.Keys.Order(StringComparer.Ordinal));
        Assert.All(OnnxWeights.MatrixSparsity(resources["Consumer.Models.model.onnx"]).Values, sparsity => Assert.InRange(sparsity, 0.49, 0.51));
    }

    /// <summary>
    /// IDE design-time builds must stay fast: they never start the engine, but offer the outputs an
    /// earlier build left, even out-of-date ones, so IntelliSense sees the resources.
    /// </summary>
    [Fact]
    public void A_design_time_build_never_starts_the_engine_but_offers_earlier_outputs()
    {
        var project = ConsumerProject.Create(_package, _log, "DesignTime");
        var model = project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");
        var restore = project.Run("restore", project.ProjectPath, "--disable-build-servers");
        Assert.True(restore.Succeeded, restore.ToString());

        Assert.DoesNotContain("classifier.onnx", DesignTimeResources(project));
        Assert.Empty(Directory.GetFiles(project.Directory, "classifier.prune.json", SearchOption.AllDirectories));

        var build = project.Build("--no-restore");
        Assert.True(build.Succeeded, build.ToString());
        var report = Directory.GetFiles(project.ModelPruneDirectory, "classifier.prune.json", SearchOption.AllDirectories).Single();
        var reportTime = File.GetLastWriteTimeUtc(report);
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow);

        Assert.Contains("classifier.onnx", DesignTimeResources(project));
        Assert.Contains("classifier.prune.json", DesignTimeResources(project));
        Assert.Equal(reportTime, File.GetLastWriteTimeUtc(report));
    }

    /// <summary>The logical names of the EmbeddedResource items after the package's targets, as a design-time build sees them.</summary>
    private static IReadOnlyList<string> DesignTimeResources(ConsumerProject project)
    {
        var result = project.Run("msbuild", project.ProjectPath, "-nodeReuse:false", "-p:DesignTimeBuild=true",
            "-t:_ModelPruneAddOutputs", "-getItem:EmbeddedResource");
        Assert.True(result.Succeeded, result.ToString());
        using var items = JsonDocument.Parse(result.Output);
        return items.RootElement.GetProperty("Items").TryGetProperty("EmbeddedResource", out var resources)
            ? resources.EnumerateArray().Select(item => item.TryGetProperty("LogicalName", out var name) ? name.GetString() ?? string.Empty : string.Empty).ToArray()
            : Array.Empty<string>();
    }
}
