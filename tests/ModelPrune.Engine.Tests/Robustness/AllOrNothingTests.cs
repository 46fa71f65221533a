using ModelPrune.Engine.Common;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Robustness;

/// <summary>
/// The outputs of one run appear together or not at all, and what a killed run staged is removed by the next:
/// a failure after the model was written used to leave a new model with no report, and kill -9 left
/// &lt;model&gt;.&lt;guid&gt;.tmp files (90 MB for MiniLM) and cache staging folders that nothing removed.
/// </summary>
public sealed class AllOrNothingTests : IDisposable
{
    /// <summary>A process id no process has: the staging of a run that was killed.</summary>
    private const int DeadProcess = int.MaxValue - 1;

    private readonly TempFolder _folder = new();
    private readonly string _model;

    public AllOrNothingTests() => _model = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_report_that_cannot_be_written_leaves_no_model_and_no_temporary_file()
    {
        var output = _folder.File("out/mlp.onnx");
        Directory.CreateDirectory(_folder.File("out"));
        // A file where the report's folder should be: creating that folder fails after the model is staged.
        File.WriteAllText(_folder.File("out/blocker"), "not a folder");

        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--report", _folder.File("out/blocker/mlp.prune.json"), "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP3004:", text);
        Assert.False(File.Exists(output), "a model without its report was left behind");
        Assert.Empty(Directory.GetFiles(_folder.File("out"), "*.tmp"));
    }

    [Fact]
    public void The_next_run_removes_what_a_killed_run_staged_and_keeps_a_live_runs_files()
    {
        var output = _folder.File("out/mlp.onnx");
        Directory.CreateDirectory(_folder.File("out"));
        var dead = $"{output}.{DeadProcess}-{Guid.NewGuid():N}.tmp";
        var live = $"{output}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        File.WriteAllText(dead, "left by kill -9");
        File.WriteAllText(live, "being written by a running build");
        var cache = _folder.File("cache");
        var deadStaging = Path.Combine(cache, "v1", "tmp", $"{DeadProcess}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(deadStaging);
        File.WriteAllText(Path.Combine(deadStaging, "model.onnx"), "half a model");

        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--cache-dir", cache);

        Assert.True(exitCode == 0, text);
        Assert.False(File.Exists(dead), "the dead run's staged model is still there");
        Assert.True(File.Exists(live), "a live process's staged file was removed");
        Assert.False(Directory.Exists(deadStaging), "the dead run's cache staging folder is still there");
        Assert.True(File.Exists(output));
    }

    /// <summary>What Ctrl+C and SIGTERM run before the process ends: every staged file of the run goes.</summary>
    [Fact]
    public void An_interrupt_removes_every_file_staged_and_not_committed()
    {
        using var staged = new StagedOutputs();
        staged.Write(_folder.File("out/a.prune.json"), "{}"u8);
        var model = staged.Reserve(_folder.File("out/a.onnx"));
        File.WriteAllText(model, "half a model");

        StagingRegistry.RemoveAll(under: _folder.Path);

        Assert.Empty(Directory.GetFiles(_folder.File("out")));
    }

    [Fact]
    public void Committed_outputs_appear_together_and_staging_leaves_nothing_behind()
    {
        using (var staged = new StagedOutputs())
        {
            staged.Write(_folder.File("out/a.prune.json"), "{}"u8);
            staged.Write(_folder.File("out/a.prune.md"), "# a"u8);
            Assert.DoesNotContain(Directory.GetFiles(_folder.File("out")), f => !f.EndsWith(".tmp", StringComparison.Ordinal));
            staged.Commit();
        }

        Assert.Equal(new[] { "a.prune.json", "a.prune.md" }, Directory.GetFiles(_folder.File("out")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
