using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>
/// A setting's MSBuild property (SettingTable's property column) is the default of every item that leaves the
/// metadata empty; an item's own metadata wins; changing the property re-prunes like changing the metadata.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class SettingPropertyTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public SettingPropertyTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void A_project_property_is_the_default_of_every_item_and_item_metadata_wins()
    {
        var project = ConsumerProject.Create(_package, _log, "PropertyDefaults");
        project.AddFile("Models/first.onnx", TestModels.Classifier);
        project.AddFile("Models/second.onnx", TestModels.Classifier);
        project.WithProperties("<ModelPruneSparsity>0.3</ModelPruneSparsity><ModelPruneSeed>7</ModelPruneSeed>");
        project.WithItems("""
            <PruneModel Include="Models/first.onnx" />
            <PruneModel Include="Models/second.onnx" Sparsity="0.6" />
            """);

        var build = project.Build();

        Assert.True(build.Succeeded, build.ToString());
        Assert.Contains(build.Lines, line => line.Contains("Models/first.onnx -> 30.0% sparse", StringComparison.Ordinal));
        Assert.Contains(build.Lines, line => line.Contains("Models/second.onnx -> 60.0% sparse", StringComparison.Ordinal));
        using var report = JsonDocument.Parse(EmbeddedResources.Read(project.OutputAssembly())["first.prune.json"]);
        Assert.Equal(7, report.RootElement.GetProperty("settings").GetProperty("seed").GetInt32());

        // The property is part of the item's settings stamp: changing it alone prunes again.
        project.WithProperties("<ModelPruneSparsity>0.5</ModelPruneSparsity><ModelPruneSeed>7</ModelPruneSeed>");
        var again = project.Build();
        Assert.True(again.Succeeded, again.ToString());
        Assert.Contains(again.Lines, line => line.Contains("Models/first.onnx -> 50.0% sparse", StringComparison.Ordinal));
        Assert.DoesNotContain(again.Lines, line => line.Contains("Models/second.onnx ->", StringComparison.Ordinal));
    }
}
