using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// The deterministic report of real runs on fixture models, held in __snapshots__. A change to the report
/// format or to what the engine computes shows up here as a diff to review.
/// </summary>
public sealed class ReportSnapshotTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Gemm_mlp_at_40_percent()
    {
        Snapshot.Match(PruneAndReadReport("mlp.onnx", FixtureModels.GemmMlp(), "--sparsity", "0.4"));
    }

    [Fact]
    public void Cnn_with_two_to_four()
    {
        Snapshot.Match(PruneAndReadReport("cnn.onnx", FixtureModels.SmallCnn(), "--pattern", "2:4"));
    }

    [Fact]
    public void Constants_and_if_branches_with_global_magnitude()
    {
        Snapshot.Match(PruneAndReadReport("branchy.onnx", FixtureModels.ConstantAndIfModel(), "--method", "global-magnitude", "--sparsity", "0.7", "--exclude", "no_such_layer"));
    }

    private JToken PruneAndReadReport(string name, global::Onnx.ModelProto model, params string[] options)
    {
        var input = ModelFiles.Write(_folder, name, model);
        var output = _folder.File("out/" + name);
        var (exitCode, text) = EngineCli.Run(new[] { "prune", input, "-o", output, "--no-cache" }.Concat(options).ToArray());
        Assert.True(exitCode == 0, text);
        return JToken.Parse(File.ReadAllText(Path.ChangeExtension(output, ".prune.json")));
    }
}
