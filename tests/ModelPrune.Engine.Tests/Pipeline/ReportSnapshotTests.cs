using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using Newtonsoft.Json.Linq;
using Snapshooter;
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

    [Fact]
    public void Trained_classifier_with_evaluation_data_and_labels()
    {
        var (pixels, labels) = FixtureModels.ClassifierSampleData(64, seed: 21);
        var evaluation = _folder.File("evaluation.npz");
        NumpyFiles.WriteNpz(evaluation, compressed: false,
            ("pixels", NpyTestArray.Float32(pixels, 64, 64)),
            ("labels", NpyTestArray.Int64(labels.Select(l => (long)l).ToArray(), 64)));

        // Through a batch request, as MSBuild sends it: the source stays relative to the base folder, so the
        // snapshot holds no temporary path.
        var model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSample());
        var output = _folder.File("out/classifier.onnx");
        var request = _folder.File("request.json");
        File.WriteAllText(request, new JObject
        {
            ["cacheEnabled"] = false,
            ["baseDirectory"] = _folder.Path,
            ["models"] = new JArray(new JObject
            {
                ["model"] = model,
                ["displayName"] = "classifier.onnx",
                ["output"] = output,
                ["report"] = _folder.File("out/classifier.prune.json"),
                ["summary"] = _folder.File("out/classifier.prune.summary"),
                ["markdown"] = _folder.File("out/classifier.prune.md"),
                ["html"] = _folder.File("out/classifier.prune.html"),
                ["runInfo"] = _folder.File("out/classifier.prune.run.json"),
                ["settings"] = new JObject { ["Sparsity"] = "0.6", ["EvaluationData"] = "evaluation.npz" },
            }),
        }.ToString());
        var (exitCode, text) = EngineCli.Run("batch", request);
        Assert.True(exitCode == 0, text);

        Snapshot.Match(JToken.Parse(File.ReadAllText(_folder.File("out/classifier.prune.json"))));
        var markdown = File.ReadAllText(_folder.File("out/classifier.prune.md"));
        Snapshot.Match(markdown[..markdown.IndexOf("## This run (not deterministic)", StringComparison.Ordinal)].Split('\n'), SnapshotNameExtension.Create("markdown"));
    }

    [Fact]
    public void Digit_cnn_with_30_percent_of_filters_removed()
    {
        var (pixels, labels) = StructuredFixtures.DigitCnnData(64, seed: 22);
        var evaluation = _folder.File("evaluation.npz");
        NumpyFiles.WriteNpz(evaluation, compressed: false,
            ("pixels", NpyTestArray.Float32(pixels, 64, 1, 8, 8)),
            ("labels", NpyTestArray.Int64(labels.Select(l => (long)l).ToArray(), 64)));

        var report = PruneAndReadReport("digit_cnn.onnx", StructuredFixtures.DigitCnn(), "--method", "maw", "--structure", "filters", "--sparsity", "0.3",
            "--unit-multiple", "8", "--evaluation", evaluation);

        // The evaluation source is a temporary path; the rest is what the engine computed.
        report["evaluation"]!["data"]!["source"] = "evaluation.npz";
        Snapshot.Match(report);
        var markdown = File.ReadAllText(_folder.File("out/digit_cnn.prune.md"));
        Snapshot.Match(markdown[..markdown.IndexOf("## This run (not deterministic)", StringComparison.Ordinal)].Replace(evaluation, "evaluation.npz").Split('\n'),
            SnapshotNameExtension.Create("markdown"));
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
