using System.Text;
using ModelPrune.Build.Tests.Infrastructure;
using ModelPrune.Fixtures;

namespace ModelPrune.Build.Tests;

/// <summary>Method="wanda" in a real build: calibration data from the project, and calibration files as build inputs.</summary>
[Collection(PackageCollection.Name)]
public sealed class CalibratedBuildTests
{
    private const string Summary = "ModelPrune: Models/classifier.onnx -> 50.0% sparse (wanda, unstructured)";

    private const string Progress = "ModelPrune: Models/classifier.onnx: ";

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public CalibratedBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    /// <summary>Also the engine's progress: logged in words at normal verbosity, and not at the default minimal one.</summary>
    [Fact]
    public void Wanda_prunes_with_the_project_s_calibration_data_and_a_changed_file_prunes_again()
    {
        var project = ConsumerProject.Create(_package, _log, "Calibrated");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        var calibration = project.AddFile("Models/calibration.npy", Npy(seed: 3));
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Method="wanda" CalibrationData="Models/calibration.npy" CalibrationSamples="64" />""");

        var first = project.Build();
        Assert.True(first.Succeeded, first.ToString());
        Assert.Contains(first.Lines, line => line.Contains(Summary, StringComparison.Ordinal) && !line.Contains("from cache", StringComparison.Ordinal));
        Assert.DoesNotContain(Progress, first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("modelprune-progress:", first.Output, StringComparison.Ordinal);

        var noOp = project.Build();
        Assert.True(noOp.Succeeded, noOp.ToString());
        Assert.DoesNotContain(noOp.Lines, line => line.Contains(Summary, StringComparison.Ordinal));

        File.WriteAllBytes(calibration, Npy(seed: 4));
        var changed = project.Build("-v:n");
        Assert.True(changed.Succeeded, changed.ToString());
        Assert.Contains(changed.Lines, line => line.Contains(Summary, StringComparison.Ordinal) && !line.Contains("from cache", StringComparison.Ordinal));
        // Each stage's first and last item always reach the log, whatever the interval: the statistics pass, the three layers.
        Assert.Contains(changed.Lines, line => line.Contains(Progress + "statistics batch 1/", StringComparison.Ordinal));
        Assert.Contains(changed.Lines, line => line.Contains(Progress + "prune layer 1/3, ", StringComparison.Ordinal) && line.Contains(" elapsed, about ", StringComparison.Ordinal));
        Assert.Contains(changed.Lines, line => line.Contains(Progress + "prune layer 3/3, done in ", StringComparison.Ordinal));
        Assert.DoesNotContain("modelprune-progress:", changed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Wanda_without_calibration_data_fails_with_the_coded_error()
    {
        var project = ConsumerProject.Create(_package, _log, "Uncalibrated");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" Method="wanda" />""");

        var result = project.Build();

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("error MP1040", result.Output, StringComparison.Ordinal);
    }

    /// <summary>A NumPy v1.0 .npy file of the classifier's own input distribution, [128, 64] float32.</summary>
    private static byte[] Npy(int seed)
    {
        var (pixels, _) = FixtureModels.ClassifierSampleData(128, seed);
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (128, 64), }";
        header = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        foreach (var value in pixels) stream.Write(BitConverter.GetBytes(value));
        return stream.ToArray();
    }
}
