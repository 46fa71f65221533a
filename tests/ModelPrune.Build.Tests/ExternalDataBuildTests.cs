using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>
/// ExternalData="always" on a small model stands in for a model past 2 GiB (which writes the same pair of files): with
/// Embed="false" the model and its data file are copied and cleaned together; embedded, it is an error.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ExternalDataBuildTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public ExternalDataBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Embed_false_copies_the_model_and_its_data_file_a_no_op_build_starts_no_engine_and_clean_removes_both()
    {
        var project = ConsumerProject.Create(_package, _log, "ExternalDataCopied");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        // LogicalName puts the copy in a subfolder: the data file goes beside it under the name the model refers to.
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Sparsity="0.5" Embed="false" ExternalData="always" LogicalName="models/pruned.onnx" />""");

        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        var intermediateModel = Directory.GetFiles(project.ModelPruneDirectory, "classifier.onnx", SearchOption.AllDirectories).Single();
        var output = project.OutputFolder();
        var copiedModel = Path.Combine(output, "models", "pruned.onnx");
        var copiedData = Path.Combine(output, "models", "classifier.onnx.data");
        Assert.Equal(File.ReadAllBytes(intermediateModel), File.ReadAllBytes(copiedModel));
        Assert.Equal(File.ReadAllBytes(intermediateModel + ".data"), File.ReadAllBytes(copiedData));
        Assert.True(new FileInfo(copiedData).Length > 0);
        Assert.Contains("classifier.onnx.data", File.ReadAllText(copiedModel), StringComparison.Ordinal);
        var dataTime = File.GetLastWriteTimeUtc(intermediateModel + ".data");

        var second = project.Build("-v:detailed");
        Assert.True(second.Succeeded, second.ToString());
        Assert.DoesNotContain("Task \"PruneModels\"", second.Output, StringComparison.Ordinal);
        Assert.Equal(dataTime, File.GetLastWriteTimeUtc(intermediateModel + ".data"));
        Assert.True(File.Exists(copiedData));

        // Back to the default: the model fits in one file, so the engine deletes its data file, and the copy of the
        // data file in the output folder goes with it (it is no longer among the build's writes).
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Sparsity="0.5" Embed="false" LogicalName="models/pruned.onnx" />""");
        var inline = project.Build();
        Assert.True(inline.Succeeded, inline.ToString());
        Assert.False(File.Exists(intermediateModel + ".data"), "the engine left the data file of the earlier run");
        Assert.False(File.Exists(copiedData), "the output folder kept the data file of the earlier run");
        Assert.Equal(File.ReadAllBytes(intermediateModel), File.ReadAllBytes(copiedModel));

        var clean = project.Clean();
        Assert.True(clean.Succeeded, clean.ToString());
        Assert.False(File.Exists(copiedModel), "dotnet clean left " + copiedModel);
        Assert.False(File.Exists(copiedData), "dotnet clean left " + copiedData);
        Assert.False(Directory.Exists(project.ModelPruneDirectory), "dotnet clean left " + project.ModelPruneDirectory);
    }

    /// <summary>
    /// ExternalData="auto" writes a data file only past 2 GiB, which a test cannot afford; what the targets check after
    /// pruning is the data file beside the pruned model, in every build (here a no-op one), so one is planted there.
    /// </summary>
    [Fact]
    public void An_embedded_model_whose_output_has_a_data_file_is_MP1116_in_every_build()
    {
        var project = ConsumerProject.Create(_package, _log, "ExternalDataAuto");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");
        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        var intermediateModel = Directory.GetFiles(project.ModelPruneDirectory, "classifier.onnx", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(intermediateModel + ".data", new byte[4096]);

        var second = project.Build("-v:detailed");

        Assert.False(second.Succeeded, second.ToString());
        Assert.DoesNotContain("Task \"PruneModels\"", second.Output, StringComparison.Ordinal);
        Assert.Contains(second.Lines, line => line.Contains("error MP1116", StringComparison.Ordinal) && line.Contains("classifier.onnx.data", StringComparison.Ordinal));
    }

    [Fact]
    public void An_embedded_model_with_external_data_is_MP1116_before_the_engine_starts()
    {
        var project = ConsumerProject.Create(_package, _log, "ExternalDataEmbedded");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" ExternalData="always" />""");

        var result = project.Build("-v:detailed");

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains(result.Lines, line => line.Contains("error MP1116", StringComparison.Ordinal) && line.Contains("Embed=\"false\"", StringComparison.Ordinal));
        Assert.DoesNotContain("Task \"PruneModels\"", result.Output, StringComparison.Ordinal);
    }
}
