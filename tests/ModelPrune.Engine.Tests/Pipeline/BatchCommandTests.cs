using System.Text.Json;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>The `batch` command the MSBuild task drives: several models, one process, results in request order.</summary>
public sealed class BatchCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Good_models_are_pruned_and_a_bad_one_fails_alone_with_its_code()
    {
        var mlp = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var cnn = ModelFiles.Write(_folder, "cnn.onnx", FixtureModels.SmallCnn());
        var request = _folder.File("request.json");
        File.WriteAllText(request, JsonSerializer.Serialize(new
        {
            cacheEnabled = false,
            cacheDirectory = "",
            models = new[]
            {
                Job(mlp, "Models/mlp.onnx", "mlp", new { Sparsity = "0.3" }),
                Job(cnn, "Models/cnn.onnx", "cnn", new { Sparsity = "abc" }),
                Job(cnn, "Models/cnn2.onnx", "cnn2", new { Sparsity = "", Pattern = "2:4" }),
            },
        }));

        var (exitCode, text) = EngineCli.Run("batch", request);

        Assert.Equal(1, exitCode);
        // Information lines (MP3005: Device="auto" fell back to the CPU) come and go with the machine.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains(": info MP", StringComparison.Ordinal)).ToArray();
        Assert.StartsWith("ModelPrune: Models/mlp.onnx -> 30.0% sparse", lines[0]);
        Assert.Equal($"{cnn}: error MP1003: ", lines[1].Substring(0, cnn.Length + 16));
        Assert.StartsWith("ModelPrune: Models/cnn2.onnx -> 50.0% sparse (magnitude, 2:4)", lines[2]);
        Assert.True(File.Exists(_folder.File("out/mlp/mlp.onnx")));
        Assert.False(File.Exists(_folder.File("out/cnn/cnn.onnx")));
        Assert.True(File.Exists(_folder.File("out/cnn2/cnn2.prune.json")));
    }

    [Fact]
    public void The_structured_settings_of_a_request_reach_the_engines_validation()
    {
        var mlp = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var request = _folder.File("request.json");
        File.WriteAllText(request, JsonSerializer.Serialize(new
        {
            cacheEnabled = false,
            cacheDirectory = "",
            models = new[]
            {
                Job(mlp, "Models/a.onnx", "a", new { Structure = "bogus" }),
                Job(mlp, "Models/b.onnx", "b", new { Structure = "neurons", Method = "wanda" }),
                Job(mlp, "Models/c.onnx", "c", new { Structure = "neurons", MinUnitsPerLayer = "0" }),
                Job(mlp, "Models/d.onnx", "d", new { Structure = "neurons", UnitMultiple = "x" }),
                Job(mlp, "Models/e.onnx", "e", new { Structure = "", MinUnitsPerLayer = "", UnitMultiple = "", Sparsity = "0.3" }),
            },
        }));

        var (exitCode, text) = EngineCli.Run("batch", request);

        Assert.Equal(1, exitCode);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains(": info MP", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5, lines.Length);
        Assert.StartsWith($"{mlp}: error MP1080: Structure 'bogus'", lines[0]);
        Assert.StartsWith($"{mlp}: error MP1081: ", lines[1]);
        Assert.StartsWith($"{mlp}: error MP1082: MinUnitsPerLayer '0'", lines[2]);
        Assert.StartsWith($"{mlp}: error MP1083: UnitMultiple 'x'", lines[3]);
        // Empty strings mean the defaults: an unstructured run.
        Assert.StartsWith("ModelPrune: Models/e.onnx -> 30.0% sparse (magnitude, unstructured)", lines[4]);
    }

    [Fact]
    public void A_malformed_request_is_a_coded_error()
    {
        var request = _folder.File("request.json");
        File.WriteAllText(request, "{ \"models\": [ { \"model\": 3 } ] }");

        var (exitCode, text) = EngineCli.Run("batch", request);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{request}: error MP1019", text);
    }

    private object Job(string model, string displayName, string name, object settings) => RequestJob.For(_folder, model, displayName, name, settings);
}
