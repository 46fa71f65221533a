using System.Text;
using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;
using Onnx;

namespace ModelPrune.Build.Tests;

/// <summary>Structure, MinUnitsPerLayer and UnitMultiple in real builds: item metadata to the engine and back.</summary>
[Collection(PackageCollection.Name)]
public sealed class StructuredBuildTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public StructuredBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void An_unknown_Structure_fails_the_build_with_MP1080_naming_the_model()
    {
        var project = ConsumerProject.Create(_package, _log, "BadStructure");
        var model = project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Structure="bogus" />""");

        var result = project.Build();

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains(result.Lines, line => line.Contains(model, StringComparison.Ordinal) && line.Contains("error MP1080", StringComparison.Ordinal)
            && line.Contains("'bogus'", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, line => line.Contains("error MSB", StringComparison.Ordinal) || line.Contains("error CS", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(project.ModelPruneDirectory, "classifier.prune.json", SearchOption.AllDirectories));
    }

    /// <summary>
    /// Each of the three is in the settings stamp, so changing only it runs the engine again; for an unstructured
    /// run they do not change the cache key, so the engine answers from its cache.
    /// </summary>
    [Fact]
    public void Changing_a_structured_setting_runs_the_engine_again()
    {
        const string Summary = "ModelPrune: Models/classifier.onnx -> 50.0% sparse (magnitude, unstructured)";
        var project = ConsumerProject.Create(_package, _log, "StructuredStamp");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);

        var steps = new[]
        {
            """Structure="none" """,
            """Structure="unstructured" """,
            """Structure="unstructured" MinUnitsPerLayer="2" """,
            """Structure="unstructured" MinUnitsPerLayer="2" UnitMultiple="8" """,
        };
        for (var step = 0; step < steps.Length; step++)
        {
            project.WithItems($"""<PruneModel Include="Models/classifier.onnx" {steps[step]}/>""");
            var result = project.Build();
            Assert.True(result.Succeeded, result.ToString());
            Assert.Contains(result.Lines, line => line.Contains(Summary, StringComparison.Ordinal)
                && line.Contains("from cache", StringComparison.Ordinal) == (step > 0));
        }

        var noOp = project.Build();
        Assert.True(noOp.Succeeded, noOp.ToString());
        Assert.DoesNotContain(noOp.Lines, line => line.Contains(Summary, StringComparison.Ordinal));
    }

    /// <summary>
    /// Needs the structured pruning stage of the engine (src/Engine/Structured): removing whole hidden neurons of the
    /// three-Gemm classifier must leave fewer float parameters, not just more zeros.
    /// </summary>
    [Fact]
    public void A_structured_build_produces_a_smaller_model()
    {
        var project = ConsumerProject.Create(_package, _log, "Structured");
        project.AddFile("model.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="model.onnx" Method="maw" Structure="neurons" Sparsity="0.5" />""");
        project.WithProperties("<OutputType>Exe</OutputType>");
        project.AddFile("Program.cs", Encoding.UTF8.GetBytes("""
            using System;
            using Structured;

            var report = PrunedModels.Model.ReadReport();
            Console.WriteLine("structure=" + report.Structure);
            Console.WriteLine("removed=" + report.RemovedFraction?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Console.WriteLine("summary=" + report);
            """));

        var result = project.Build();

        Assert.True(result.Succeeded, result.ToString());
        // MP1084: no unit could be removed, and the output is an unchanged copy.
        Assert.DoesNotContain(result.Lines, line => line.Contains("warning MP1084", StringComparison.Ordinal));
        var report = Directory.GetFiles(project.ModelPruneDirectory, "model.prune.json", SearchOption.AllDirectories).Single();
        using var reportJson = JsonDocument.Parse(File.ReadAllBytes(report));
        Assert.Equal(JsonValueKind.Object, reportJson.RootElement.ValueKind);

        var resources = EmbeddedResources.Read(project.OutputAssembly());
        Assert.Contains("model.prune.json", resources.Keys);
        var original = FloatParameters(TestModels.Classifier);
        var pruned = FloatParameters(resources["model.onnx"]);
        Assert.True(pruned < original, $"the pruned model has {pruned} float parameters, the original {original}");
        // Every Gemm keeps at least one neuron (MinUnitsPerLayer defaults to 1): the model is smaller, not empty.
        Assert.True(pruned > 0);

        // The typed accessor knows the run was structured.
        var run = project.Run(project.OutputAssembly());
        Assert.True(run.Succeeded, run.ToString());
        var removed = reportJson.RootElement.GetProperty("structured").GetProperty("removedFraction").GetDouble();
        Assert.Contains("structure=neurons", run.Lines);
        Assert.Contains("removed=" + removed.ToString("R", System.Globalization.CultureInfo.InvariantCulture), run.Lines);
        Assert.Contains(run.Lines, line => line.StartsWith("summary=maw, neurons: ", StringComparison.Ordinal) && line.Contains("% of prunable parameters removed", StringComparison.Ordinal));
    }

    private static long FloatParameters(byte[] model) =>
        ModelProto.Parser.ParseFrom(model).Graph.Initializer
            .Where(tensor => tensor.DataType == (int)TensorProto.Types.DataType.Float)
            .Sum(tensor => tensor.Dims.Aggregate(1L, (count, dim) => count * dim));
}
