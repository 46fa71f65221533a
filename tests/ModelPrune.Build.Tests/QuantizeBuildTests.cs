using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>Quantize on a PruneModel item reaches the engine through the settings table: the embedded model is really smaller.</summary>
[Collection(PackageCollection.Name)]
public sealed class QuantizeBuildTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public QuantizeBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Quantize_int8_embeds_a_model_under_a_third_of_the_original_with_its_report()
    {
        var project = ConsumerProject.Create(_package, _log, "QuantizeInt8");
        project.WithProperties("<OutputType>Exe</OutputType>");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Program.cs", System.Text.Encoding.UTF8.GetBytes("""
            var report = QuantizeInt8.PrunedModels.Classifier.ReadReport();
            System.Console.WriteLine("quantize=" + report.Quantize + ";method=" + report.QuantMethod + ";group=" + (report.QuantGroupSize?.ToString() ?? "channel")
                + ";activations=" + (report.QuantizeActivations ?? "float") + ";bits=" + report.BitsPerWeight?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            """));
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Quantize="int8" />""");

        var build = project.Build();

        Assert.True(build.Succeeded, build.ToString());
        Assert.Contains(build.Lines, line => line.Contains("Models/classifier.onnx -> ", StringComparison.Ordinal) && line.Contains(", int8 ", StringComparison.Ordinal));
        var resources = EmbeddedResources.Read(project.OutputAssembly());
        Assert.True(resources["classifier.onnx"].Length * 3 < TestModels.Classifier.Length,
            $"{resources["classifier.onnx"].Length} bytes embedded for a {TestModels.Classifier.Length}-byte model");
        using var report = JsonDocument.Parse(resources["classifier.prune.json"]);
        Assert.Equal("int8", report.RootElement.GetProperty("quantization").GetProperty("quantize").GetString());
        // The typed accessor exposes the quantization settings.
        var run = project.Run(project.OutputAssembly());
        Assert.True(run.Succeeded, run.ToString());
        Assert.Contains("quantize=int8;method=rtn;group=channel;activations=float;bits=" + report.RootElement.GetProperty("quantization").GetProperty("bitsPerWeight").GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture), run.Output);
    }
}
