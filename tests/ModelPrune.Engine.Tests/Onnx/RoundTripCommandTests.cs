using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Onnx;

/// <summary>`modelprune roundtrip`, the benchmark's I/O floor: the same model back, in one file or as a file pair.</summary>
public sealed class RoundTripCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("auto", false)]
    [InlineData("never", false)]
    [InlineData("always", true)]
    public void Writes_the_same_model_in_one_file_or_with_a_data_file(string mode, bool pair)
    {
        FixtureModels.WriteExternalDataModel(_folder.File("in"));
        var source = Path.Combine(_folder.File("in"), FixtureModels.ExternalModelFileName);
        var output = _folder.File("out/model.onnx");
        // A data file an earlier run left must not stand beside a model written in one file.
        Directory.CreateDirectory(_folder.File("out"));
        File.WriteAllText(output + ".data", "stale");

        var (exitCode, printed) = EngineCli.Run("roundtrip", source, "-o", output, "--external-data", mode);

        Assert.True(exitCode == 0, printed);
        Assert.Equal(pair, File.Exists(output + ".data"));
        Assert.Equal(pair, OnnxModelReader.Read(output).HasExternalData);
        Assert.Equal(Outputs(source), Outputs(output));
        Assert.Contains($"({new FileInfo(output).Length + (pair ? new FileInfo(output + ".data").Length : 0)} bytes)", printed);
    }

    [Fact]
    public void Refuses_to_write_over_the_input_or_its_data_file()
    {
        FixtureModels.WriteExternalDataModel(_folder.Path);
        var source = _folder.File(FixtureModels.ExternalModelFileName);
        var dataBefore = File.ReadAllBytes(_folder.File(FixtureModels.ExternalWeightsFileName));
        var output = _folder.File(FixtureModels.ExternalWeightsFileName);

        var (exitCode, printed) = EngineCli.Run("roundtrip", source, "-o", output, "--external-data", "always");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("MP1014", printed);
        Assert.Equal(dataBefore, File.ReadAllBytes(_folder.File(FixtureModels.ExternalWeightsFileName)));
        Assert.Single(Directory.GetFiles(_folder.Path), f => f.EndsWith(".onnx", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_external_data_mode_is_MP1115()
    {
        var source = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());

        var (exitCode, printed) = EngineCli.Run("roundtrip", source, "-o", _folder.File("out/mlp.onnx"), "--external-data", "sometimes");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("MP1115", printed);
        Assert.Contains("sometimes", printed);
        Assert.False(File.Exists(_folder.File("out/mlp.onnx")));
    }

    private static float[] Outputs(string path)
    {
        using var session = new InferenceSession(path);
        var input = Enumerable.Range(0, 2 * 16).Select(i => (float)Math.Sin(i)).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input, new long[] { 2, 16 });
        using var results = session.Run(new RunOptions(), new[] { session.InputNames[0] }, new[] { value }, session.OutputNames);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
