using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>What the IDE sees: design-time builds that do not write or prune, and its fast up-to-date check's inputs.</summary>
[Collection(PackageCollection.Name)]
public sealed class DesignTimeBuildTests
{
    private const string SummaryPrefix = "ModelPrune: Models/classifier.onnx -> ";

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public DesignTimeBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void A_design_time_build_writes_no_stamp_and_starts_no_engine_unless_opted_in()
    {
        var project = ConsumerProject.Create(_package, _log, "DesignTimePolicy");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");

        var designTime = project.Build("-p:DesignTimeBuild=true", "-v:detailed");
        Assert.True(designTime.Succeeded, designTime.ToString());
        Assert.DoesNotContain(designTime.Lines, line => line.Contains(SummaryPrefix, StringComparison.Ordinal));
        Assert.DoesNotContain("Task \"PruneModels\"", designTime.Output, StringComparison.Ordinal);
        Assert.Empty(Stamps(project));

        var optedIn = project.Build("-p:DesignTimeBuild=true", "-p:ModelPruneInDesignTimeBuild=true");
        Assert.True(optedIn.Succeeded, optedIn.ToString());
        Assert.Contains(optedIn.Lines, line => line.Contains(SummaryPrefix, StringComparison.Ordinal));
        Assert.Single(Stamps(project));
    }

    [Fact]
    public void UpToDateCheckInput_lists_the_calibration_evaluation_and_baseline_files()
    {
        var project = ConsumerProject.Create(_package, _log, "UpToDateCheck");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Models/other.onnx", TestModels.Classifier);
        project.AddFile("Data/calibration/a.npz", new byte[] { 1 });
        project.AddFile("Data/calibration/b.npz", new byte[] { 2 });
        project.WithItems("""
            <PruneModel Include="Models/classifier.onnx" Method="wanda" CalibrationData="Data/single.npz;Data/calibration/*.npz"
                        EvaluationData="Data/evaluation.npz" Baseline="Models/classifier.prune.verified.json" />
            <PruneModel Include="Models/other.onnx" Method="wanda" CalibrationData="synthetic" />
            """);
        var restore = project.Run("restore", project.ProjectPath, "--disable-build-servers");
        Assert.True(restore.Succeeded, restore.ToString());

        // Visual Studio's project system runs CollectUpToDateCheckInputDesignTime (not in the .NET SDK); the
        // package's target runs before it and adds the calibration files, which need a target to expand.
        var result = project.Run("msbuild", project.ProjectPath, "-nodeReuse:false", "-p:DesignTimeBuild=true",
            "-t:_ModelPruneCollectUpToDateCheckInput", "-getItem:UpToDateCheckInput");

        Assert.True(result.Succeeded, result.ToString());
        using var json = JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]);
        var inputs = json.RootElement.GetProperty("Items").GetProperty("UpToDateCheckInput").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!.Replace('\\', '/'))
            .ToArray();
        foreach (var expected in new[]
                 {
                     "Models/classifier.onnx", "Models/other.onnx", "Data/single.npz", "Data/calibration/a.npz",
                     "Data/calibration/b.npz", "Data/evaluation.npz", "Models/classifier.prune.verified.json",
                 })
        {
            Assert.Contains(expected, inputs);
        }

        Assert.DoesNotContain(inputs, input => input.Contains("synthetic", StringComparison.OrdinalIgnoreCase));
    }

    private static string[] Stamps(ConsumerProject project) =>
        Directory.Exists(project.ModelPruneDirectory)
            ? Directory.GetFiles(project.ModelPruneDirectory, "*.prune.stamp", SearchOption.AllDirectories)
            : Array.Empty<string>();
}
