using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>GITHUB_STEP_SUMMARY is read by the engine process, so these run it as one.</summary>
public sealed class StepSummaryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public StepSummaryTests()
    {
        _model = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_summary_table_is_appended_to_what_the_file_already_holds()
    {
        var summary = _folder.File("summary.md");
        File.WriteAllText(summary, "Earlier step\n");

        var (exitCode, output) = EngineProcess.Run(new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = summary },
            "prune", _model, "-o", _folder.File("out/mlp.onnx"), "--no-cache");
        Assert.True(exitCode == 0, output);

        var text = File.ReadAllText(summary);
        Assert.StartsWith("Earlier step\n### ModelPrune: ", text);
        Assert.Contains("| Model | Method | Sparsity | Key metric | Size | Size (gzip) |", text);
        Assert.Contains($"| `{_model}` | magnitude, unstructured | 50.0% |", text);
        Assert.EndsWith(" |\n\n", text);
    }

    [Fact]
    public void An_unwritable_summary_file_is_warning_MP3009_and_the_model_is_still_pruned()
    {
        var summary = _folder.File("no-such-folder/summary.md");

        var (exitCode, output) = EngineProcess.Run(new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = summary },
            "prune", _model, "-o", _folder.File("out/mlp.onnx"), "--no-cache");

        Assert.Equal(0, exitCode);
        Assert.Contains($"{summary}: warning MP3009", output);
        Assert.True(File.Exists(_folder.File("out/mlp.onnx")));
    }

    [Fact]
    public void Without_the_variable_nothing_is_written_anywhere_else()
    {
        var (exitCode, output) = EngineProcess.Run(new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = null },
            "prune", _model, "-o", _folder.File("out/mlp.onnx"), "--no-cache");

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("MP3009", output);
    }
}
