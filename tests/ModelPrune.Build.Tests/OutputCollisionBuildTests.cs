using System.Text;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>
/// The MSBuild side of "nothing a user had is overwritten": an item's outputs, its copies in the output folder
/// (Embed="false") and its resource names (Embed="true") are checked against the files the build reads and the
/// project's own items before the engine starts, or PruneModels deletes the old outputs. Each case here used to
/// build: deleting or overwriting the user's file, silently replacing a copied file, or failing late in the compiler.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class OutputCollisionBuildTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public OutputCollisionBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Outputs_that_collide_with_what_the_build_reads_or_with_project_items_fail_before_the_engine_starts()
    {
        var project = ConsumerProject.Create(_package, _log, "Collisions");
        var model = project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        var original = File.ReadAllBytes(model);
        // Inside the project folder and outside obj/: the outputs of one build are None items of the next, which
        // the check must not take for source files.
        project.WithProperties("<ModelPruneIntermediateDir>pruned/</ModelPruneIntermediateDir>");

        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");
        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        var again = project.Build();
        Assert.True(again.Succeeded, again.ToString());
        var report = Directory.GetFiles(Path.Combine(project.Directory, "pruned"), "classifier.prune.json", SearchOption.AllDirectories).Single();
        var reportBytes = File.ReadAllBytes(report);

        // The item's own report as its baseline, with a changed setting: PruneModels deleted the baseline, the engine
        // wrote the new report there, and only then did the gate say MP1062.
        project.WithItems($"""<PruneModel Include="Models/classifier.onnx" Sparsity="0.4" Baseline="{report}" />""");
        var ownReport = project.Build();
        Assert.False(ownReport.Succeeded, ownReport.ToString());
        Assert.Contains(ownReport.Lines, line => line.Contains("error MP1062", StringComparison.Ordinal)
            && line.Contains("The Baseline of PruneModel 'Models/classifier.onnx' ('" + report + "') is its new report ('" + report + "')", StringComparison.Ordinal));
        Assert.Equal(reportBytes, File.ReadAllBytes(report));

        // One item's output is another item's model: pruning the first deletes the second's input.
        var prunedModel = Path.Combine(Path.GetDirectoryName(report)!, "classifier.onnx");
        project.WithItems($"""
            <PruneModel Include="Models/classifier.onnx" />
            <PruneModel Include="{prunedModel}" LogicalName="twice.onnx" ReportLogicalName="twice.prune.json" />
            """);
        var chained = project.Build();
        Assert.False(chained.Succeeded, chained.ToString());
        Assert.Contains(chained.Lines, line => line.Contains("error MP1014", StringComparison.Ordinal)
            && line.Contains("The pruned model of PruneModel 'Models/classifier.onnx' ('" + prunedModel + "') is the model of PruneModel", StringComparison.Ordinal));

        // Embed="false" copies to OutDir + LogicalName: here, over the source model.
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Embed="false" LogicalName="../../../Models/classifier.onnx" />""");
        var overSource = project.Build();
        Assert.False(overSource.Succeeded, overSource.ToString());
        Assert.Contains(overSource.Lines, line => line.Contains("error MP1014", StringComparison.Ordinal)
            && line.Contains("The copy of the pruned model of PruneModel 'Models/classifier.onnx' ('" + model + "')", StringComparison.Ordinal)
            && line.Contains("the model of PruneModel", StringComparison.Ordinal));
        Assert.Equal(original, File.ReadAllBytes(model));

        // The project already copies the original model to the same place: one copy would replace the other.
        project.WithItems("""
            <None Update="Models/classifier.onnx" CopyToOutputDirectory="PreserveNewest" />
            <PruneModel Include="Models/classifier.onnx" Embed="false" LogicalName="Models/classifier.onnx" />
            """);
        var sameCopy = project.Build();
        Assert.False(sameCopy.Succeeded, sameCopy.ToString());
        Assert.Contains(sameCopy.Lines, line => line.Contains("error MP1110", StringComparison.Ordinal)
            && line.Contains(Path.Combine(project.OutputFolder(), "Models", "classifier.onnx"), StringComparison.Ordinal)
            && line.Contains("None item '" + model + "'", StringComparison.Ordinal));

        // A resource name the project's own EmbeddedResource has: the compiler would stop with CS1508 much later.
        var labels = project.AddFile("labels.txt", Encoding.UTF8.GetBytes("cat\ndog\n"));
        project.WithItems("""
            <EmbeddedResource Include="labels.txt" LogicalName="classifier.onnx" />
            <PruneModel Include="Models/classifier.onnx" />
            """);
        var sameResource = project.Build();
        Assert.False(sameResource.Succeeded, sameResource.ToString());
        Assert.Contains(sameResource.Lines, line => line.Contains("error MP1110", StringComparison.Ordinal)
            && line.Contains("embedded as 'classifier.onnx'", StringComparison.Ordinal)
            && line.Contains(labels, StringComparison.Ordinal));
        Assert.DoesNotContain("error CS", sameResource.Output, StringComparison.Ordinal);

        // The model and the report under one resource name (the targets compare models with models only).
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" LogicalName="classifier.prune.json" />""");
        var modelIsReport = project.Build();
        Assert.False(modelIsReport.Succeeded, modelIsReport.ToString());
        Assert.Contains(modelIsReport.Lines, line => line.Contains("error MP1032", StringComparison.Ordinal)
            && line.Contains("The pruned model of PruneModel 'Models/classifier.onnx' and the report of PruneModel 'Models/classifier.onnx'", StringComparison.Ordinal));

        // Two items copied to one file under names that differ only as text (the targets compare the names).
        project.AddFile("Other/second.onnx", TestModels.Classifier);
        project.WithItems("""
            <PruneModel Include="Models/classifier.onnx" Embed="false" LogicalName="models/../model.onnx" />
            <PruneModel Include="Other/second.onnx" Embed="false" LogicalName="model.onnx" />
            """);
        var sameFile = project.Build();
        Assert.False(sameFile.Succeeded, sameFile.ToString());
        Assert.Contains(sameFile.Lines, line => line.Contains("error MP1088", StringComparison.Ordinal)
            && line.Contains("The copy of the pruned model of PruneModel 'Models/classifier.onnx' and the copy of the pruned model of PruneModel 'Other/second.onnx'", StringComparison.Ordinal)
            && line.Contains(Path.Combine(project.OutputFolder(), "model.onnx"), StringComparison.Ordinal));

        // None of the failing builds ran the engine: the outputs of the first build are as they were.
        Assert.Equal(reportBytes, File.ReadAllBytes(report));
    }
}
