using System.Text.Json;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.Statistics;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>Wanda and SparseGPT on Conv weights, through the command line, calibrated on seeded images.</summary>
public sealed class ConvCalibratedPruneTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("unstructured")]
    [InlineData("2:4")]
    public void Convolutions_are_pruned_and_sparsegpt_reconstructs_them_better_than_wanda(string pattern)
    {
        var model = ModelFiles.Write(_folder, "cnn.onnx", FixtureModels.SmallCnn());
        var calibration = Images("cnn.npy", 40, 4, 8, 8);

        var wanda = Prune(model, "wanda", pattern, calibration);
        var sparseGpt = Prune(model, "sparsegpt", pattern, calibration);

        foreach (var name in new[] { "conv1.weight", "conv2.weight" })
        {
            var w = Layer(wanda.Report, name);
            var s = Layer(sparseGpt.Report, name);
            Assert.Equal("pruned", w.GetProperty("status").GetString());
            Assert.Equal(0.5, w.GetProperty("sparsity").GetDouble(), 3);
            // The reference SparseGPT prunes every weight at or below the threshold: one more than half per block.
            Assert.Equal(0.5, s.GetProperty("sparsity").GetDouble(), 2);
            Assert.True(s.GetProperty("reconstructionError").GetDouble() < w.GetProperty("reconstructionError").GetDouble(),
                $"{name}: sparsegpt {s.GetProperty("reconstructionError")} vs wanda {w.GetProperty("reconstructionError")}");
            Assert.True(w.GetProperty("reconstructionError").GetDouble() > 0);
        }
    }

    [Theory]
    [InlineData("wanda")]
    [InlineData("sparsegpt")]
    public void Two_of_four_on_a_convolution_runs_along_the_input_channels_at_each_kernel_position(string method)
    {
        var model = ModelFiles.Write(_folder, "cnn.onnx", FixtureModels.SmallCnn());
        var calibration = Images("cnn.npy", 24, 4, 8, 8);

        var pruned = Prune(model, method, "2:4", calibration);

        var conv2 = PrunableWeightFinder.Find(OnnxModelReader.Read(pruned.Model)).Single(w => w.Name == "conv2.weight");
        var W = conv2.Tensor.ReadValues();   // [16, 8, 3, 3]
        for (var o = 0; o < 16; o++)
        {
            for (var k = 0; k < 9; k++)
            {
                for (var c0 = 0; c0 < 8; c0 += 4)
                {
                    var zeros = Enumerable.Range(c0, 4).Count(c => W[(((o * 8) + c) * 9) + k] == 0f);
                    Assert.True(zeros == 2, $"output {o}, kernel position {k}, channels {c0}..{c0 + 3}: {zeros} zeros");
                }
            }
        }
    }

    [Theory]
    [InlineData("wanda")]
    [InlineData("sparsegpt")]
    public void Grouped_and_depthwise_convolutions_prune_each_group_on_its_own_input(string method)
    {
        var model = ModelFiles.Write(_folder, "grouped.onnx", StatisticsTestModels.GroupedStridedConv());
        var calibration = Images("grouped.npy", 16, 4, 7, 6);

        var pruned = Prune(model, method, "unstructured", calibration);

        var weights = PrunableWeightFinder.Find(OnnxModelReader.Read(pruned.Model)).ToDictionary(w => w.Name);
        AssertRowZeros(weights["Wg"].Tensor.ReadValues(), rows: 6, cols: 12, zerosPerRow: method == "wanda" ? 6 : null);
        AssertRowZeros(weights["Wd"].Tensor.ReadValues(), rows: 6, cols: 9, zerosPerRow: method == "wanda" ? 4 : null);
        foreach (var name in new[] { "Wg", "Wd" })
        {
            var layer = Layer(pruned.Report, name);
            Assert.Equal("pruned", layer.GetProperty("status").GetString());
            Assert.InRange(layer.GetProperty("reconstructionError").GetDouble(), 1e-6, 1.0);
        }
    }

    [Fact]
    public void A_depthwise_convolution_has_no_group_of_four_channels_and_is_left_dense_under_two_of_four()
    {
        var model = ModelFiles.Write(_folder, "grouped.onnx", StatisticsTestModels.GroupedStridedConv());
        var calibration = Images("grouped.npy", 16, 4, 7, 6);

        var pruned = Prune(model, "wanda", "2:4", calibration);

        Assert.Equal("skipped", Layer(pruned.Report, "Wd").GetProperty("status").GetString());
        Assert.Contains("warning MP1009", pruned.Output);
    }

    private static void AssertRowZeros(float[] W, int rows, int cols, int? zerosPerRow)
    {
        var counts = Enumerable.Range(0, rows).Select(r => W.Skip(r * cols).Take(cols).Count(v => v == 0f)).ToArray();
        if (zerosPerRow is { } expected)
        {
            Assert.All(counts, c => Assert.Equal(expected, c));
        }

        Assert.Equal(rows * cols / 2, counts.Sum(), tolerance: rows);
    }

    private string Images(string name, int samples, params long[] image)
    {
        var random = new Random(name.Length);
        var count = samples * (int)image.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var path = _folder.File(name);
        NumpyFiles.WriteNpy(path, NpyTestArray.Float32(values, new[] { (long)samples }.Concat(image).ToArray()));
        return path;
    }

    private (string Model, JsonElement Report, string Output) Prune(string model, string method, string pattern, string calibration)
    {
        var folder = $"{Path.GetFileNameWithoutExtension(model)}-{method}-{pattern.Replace(":", "of", StringComparison.Ordinal)}";
        var output = _folder.File($"{folder}/{Path.GetFileName(model)}");
        var (exitCode, text) = EngineCli.Run("prune", model, "--method", method, "--pattern", pattern, "--calibration", calibration, "-o", output, "--no-cache");
        Assert.True(exitCode == 0, text);
        var report = _folder.File($"{folder}/{Path.GetFileNameWithoutExtension(model)}.prune.json");
        return (output, JsonDocument.Parse(File.ReadAllBytes(report)).RootElement.Clone(), text);
    }

    private static JsonElement Layer(JsonElement report, string name) =>
        report.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);
}
