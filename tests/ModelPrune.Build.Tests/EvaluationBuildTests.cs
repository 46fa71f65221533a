using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;
using ModelPrune.Fixtures;

namespace ModelPrune.Build.Tests;

/// <summary>EvaluationData and Task in a real build: the file is a build input, and the summary reaches GITHUB_STEP_SUMMARY.</summary>
[Collection(PackageCollection.Name)]
public sealed class EvaluationBuildTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public EvaluationBuildTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Evaluation_data_gives_accuracy_a_changed_file_evaluates_again_and_the_step_summary_gets_the_table()
    {
        var project = ConsumerProject.Create(_package, _log, "Evaluated");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        var evaluation = project.AddFile("Data/evaluation.npz", Npz(seed: 5));
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" EvaluationData="Data/evaluation.npz" EvaluationSamples="100" Task="classification" />""");
        var summary = Path.Combine(project.Directory, "step-summary.md");

        var first = project.RunWithEnvironment(new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = summary }, "build", project.ProjectPath, "--disable-build-servers", "-nodeReuse:false");
        Assert.True(first.Succeeded, first.ToString());
        Assert.Contains(first.Lines, line => line.Contains("ModelPrune: Models/classifier.onnx -> 50.0% sparse (magnitude, unstructured), accuracy ", StringComparison.Ordinal)
            && line.Contains(" gz", StringComparison.Ordinal));
        var report = JsonDocument.Parse(File.ReadAllBytes(Directory.GetFiles(project.ModelPruneDirectory, "classifier.prune.json", SearchOption.AllDirectories).Single())).RootElement;
        var evaluationReport = report.GetProperty("evaluation");
        Assert.Equal("evaluation data", evaluationReport.GetProperty("inputKind").GetString());
        Assert.Equal("classification", evaluationReport.GetProperty("task").GetString());
        Assert.Equal("Data/evaluation.npz", evaluationReport.GetProperty("data").GetProperty("source").GetString());
        Assert.Equal(100, evaluationReport.GetProperty("data").GetProperty("samples").GetInt32());
        Assert.Contains("| `Models/classifier.onnx` | magnitude, unstructured | 50.0% | accuracy ", File.ReadAllText(summary), StringComparison.Ordinal);

        var noOp = project.Build();
        Assert.True(noOp.Succeeded, noOp.ToString());
        Assert.DoesNotContain(noOp.Lines, line => line.Contains("sparse (magnitude", StringComparison.Ordinal));

        File.WriteAllBytes(evaluation, Npz(seed: 6));
        var changed = project.Build();
        Assert.True(changed.Succeeded, changed.ToString());
        Assert.Contains(changed.Lines, line => line.Contains("sparse (magnitude", StringComparison.Ordinal) && !line.Contains("from cache", StringComparison.Ordinal));
    }

    /// <summary>numpy.savez(path, pixels=[120, 64] float32, labels=[120] int64) of the classifier's own data.</summary>
    internal static byte[] Npz(int seed)
    {
        const int samples = 120;
        var (pixels, labels) = FixtureModels.ClassifierSampleData(samples, seed);
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Entry(archive, "pixels.npy", "<f4", $"({samples}, 64)", pixels.SelectMany(BitConverter.GetBytes).ToArray());
            Entry(archive, "labels.npy", "<i8", $"({samples},)", labels.SelectMany(l => BitConverter.GetBytes((long)l)).ToArray());
        }

        return stream.ToArray();
    }

    private static void Entry(ZipArchive archive, string name, string dtype, string shape, byte[] data)
    {
        var header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
        entry.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        entry.Write(BitConverter.GetBytes((ushort)header.Length));
        entry.Write(Encoding.ASCII.GetBytes(header));
        entry.Write(data);
    }
}
