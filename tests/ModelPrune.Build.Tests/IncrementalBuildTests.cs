using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>
/// One project taken through the life a user gives it: first build, no-op build, a metadata change, a
/// touched model, clean. The steps share state on purpose (each starts from what the previous left).
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class IncrementalBuildTests
{
    private const string SummaryPrefix = "ModelPrune: Models/classifier.onnx -> ";

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public IncrementalBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Build_prunes_and_embeds_then_reprunes_only_when_an_input_changes()
    {
        var project = ConsumerProject.Create(_package, _log, "Lifecycle");
        var modelPath = project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Sparsity="0.4" />""");

        // First build: the engine runs, prints its summary, and the assembly carries model and report.
        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        Assert.Contains(first.Lines, line => line.Contains(SummaryPrefix + "40.0% sparse", StringComparison.Ordinal));
        AssertEmbeddedSparsity(project, 0.4);
        var prunedModel = Directory.GetFiles(project.ModelPruneDirectory, "classifier.onnx", SearchOption.AllDirectories).Single();
        var prunedTime = File.GetLastWriteTimeUtc(prunedModel);

        // Nothing changed: the engine must not start, the output must not be rewritten.
        var second = project.Build("-v:detailed");
        Assert.True(second.Succeeded, second.ToString());
        Assert.DoesNotContain(second.Lines, line => line.Contains(SummaryPrefix, StringComparison.Ordinal));
        Assert.DoesNotContain("Task \"PruneModels\"", second.Output, StringComparison.Ordinal);
        Assert.Contains("ModelPrune: Models/classifier.onnx is up to date", second.Output, StringComparison.Ordinal);
        Assert.Equal(prunedTime, File.GetLastWriteTimeUtc(prunedModel));

        // A metadata change is invisible to timestamps; the settings stamp makes it count.
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Sparsity="0.6" />""");
        var third = project.Build();
        Assert.True(third.Succeeded, third.ToString());
        Assert.Contains(third.Lines, line => line.Contains(SummaryPrefix + "60.0% sparse", StringComparison.Ordinal));
        AssertEmbeddedSparsity(project, 0.6);

        // A newer model file prunes again (the engine may answer from its cache: same bytes). The
        // previous build ended seconds ago, so "now" is newer than its outputs.
        File.SetLastWriteTimeUtc(modelPath, DateTime.UtcNow);
        var fourth = project.Build();
        Assert.True(fourth.Succeeded, fourth.ToString());
        Assert.Contains(fourth.Lines, line => line.Contains(SummaryPrefix + "60.0% sparse", StringComparison.Ordinal));
        Assert.True(File.GetLastWriteTimeUtc(prunedModel) >= File.GetLastWriteTimeUtc(modelPath), "the pruned model must be newer than the model it came from");

        // The outputs sit outside IntermediateOutputPath; clean must still remove them.
        var clean = project.Clean();
        Assert.True(clean.Succeeded, clean.ToString());
        Assert.False(Directory.Exists(project.ModelPruneDirectory), "dotnet clean left " + project.ModelPruneDirectory);
    }

    /// <summary>
    /// Staleness is per item: two models, one with an evaluation file. A no-op build starts no engine; a newer
    /// evaluation file re-prunes its own item only (the file is in that item's settings stamp, not in others').
    /// </summary>
    [Fact]
    public void Only_the_item_whose_evaluation_file_changed_is_pruned_again_and_a_no_op_build_starts_no_engine()
    {
        var project = ConsumerProject.Create(_package, _log, "IncrementalPerItem");
        project.AddFile("Models/evaluated.onnx", TestModels.Classifier);
        project.AddFile("Models/plain.onnx", TestModels.Classifier);
        var evaluation = project.AddFile("Data/evaluation.npz", EvaluationBuildTests.Npz(seed: 5));
        project.WithItems("""
            <PruneModel Include="Models/evaluated.onnx" EvaluationData="Data/evaluation.npz" />
            <PruneModel Include="Models/plain.onnx" />
            """);

        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        Assert.Contains(first.Lines, line => line.Contains("ModelPrune: Models/evaluated.onnx -> ", StringComparison.Ordinal));
        Assert.Contains(first.Lines, line => line.Contains("ModelPrune: Models/plain.onnx -> ", StringComparison.Ordinal));
        var plainModel = Directory.GetFiles(project.ModelPruneDirectory, "plain.onnx", SearchOption.AllDirectories).Single();
        var plainTime = File.GetLastWriteTimeUtc(plainModel);

        var noOp = project.Build("-v:detailed");
        Assert.True(noOp.Succeeded, noOp.ToString());
        Assert.DoesNotContain("Task \"PruneModels\"", noOp.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(noOp.Lines, line => line.Contains(" -> ", StringComparison.Ordinal) && line.Contains("ModelPrune: Models/", StringComparison.Ordinal));
        Assert.Contains("ModelPrune: Models/evaluated.onnx is up to date", noOp.Output, StringComparison.Ordinal);
        Assert.Contains("ModelPrune: Models/plain.onnx is up to date", noOp.Output, StringComparison.Ordinal);

        File.SetLastWriteTimeUtc(evaluation, DateTime.UtcNow);
        var changed = project.Build("-v:detailed");
        Assert.True(changed.Succeeded, changed.ToString());
        Assert.Contains(changed.Lines, line => line.Contains("ModelPrune: Models/evaluated.onnx -> ", StringComparison.Ordinal));
        Assert.DoesNotContain(changed.Lines, line => line.Contains("ModelPrune: Models/plain.onnx -> ", StringComparison.Ordinal));
        Assert.Contains("ModelPrune: Models/plain.onnx is up to date", changed.Output, StringComparison.Ordinal);
        Assert.Equal(plainTime, File.GetLastWriteTimeUtc(plainModel));
    }

    private static void AssertEmbeddedSparsity(ConsumerProject project, double sparsity)
    {
        var resources = EmbeddedResources.Read(project.OutputAssembly());
        Assert.Contains("classifier.onnx", resources.Keys);
        Assert.Contains("classifier.prune.json", resources.Keys);

        // The model itself, counted here: every weight matrix holds the requested share of zeros.
        var layers = OnnxWeights.MatrixSparsity(resources["classifier.onnx"]);
        Assert.Equal(TestModels.ClassifierWeights, layers.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, actual) in layers)
        {
            Assert.True(Math.Abs(actual - sparsity) < 0.01, $"{name}: {actual:P2} zeros, expected {sparsity:P0}");
        }

        // And the report embedded next to it agrees.
        using var report = JsonDocument.Parse(resources["classifier.prune.json"]);
        Assert.Equal(sparsity, report.RootElement.GetProperty("settings").GetProperty("sparsity").GetDouble(), 6);
        Assert.Equal(sparsity, report.RootElement.GetProperty("totals").GetProperty("prunableSparsity").GetDouble(), 2);
    }
}
