using System.Diagnostics;
using System.Text;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using ModelPrune.Tests.Shared;

namespace ModelPrune.Engine.Tests.Robustness;

/// <summary>
/// Ctrl+C in a terminal and a cancelled build or CI timeout (SIGTERM) reach the real engine process while it has
/// output staged: it must stop at once with MP3010 and leave neither the model nor a temporary file. Everything is
/// polled with generous limits, so another build on the machine slows the test but does not fail it.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    private static readonly TimeSpan StagingLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(10);

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <param name="externalData">The model staged as a pair (model and data file) in a staging folder.</param>
    [Theory]
    [InlineData("INT", false)]
    [InlineData("TERM", false)]
    [InlineData("TERM", true)]
    public void A_signal_while_the_output_is_staged_stops_the_engine_with_MP3010_and_leaves_no_file(string signal, bool externalData)
    {
        if (OperatingSystem.IsWindows()) return;

        // 96 MB of weights: writing the staged model, compressing both models and evaluating them take seconds,
        // long enough to be caught in the middle on a busy machine.
        var model = ModelFiles.Write(_folder, "wide.onnx", QuantizationFixtures.MatMulChain(13, 1024, 4096, 4096, 1024));
        var outputFolder = _folder.File("out");
        var cache = _folder.File("cache");
        var start = EngineProcess.StartInfo(
            new Dictionary<string, string?> { ["MODELPRUNE_CACHE_DIR"] = cache },
            "prune", model, "-o", Path.Combine(outputFolder, "wide.onnx"), "--sparsity", "0.5", "--external-data", externalData ? "always" : "auto");

        var output = new StringBuilder();
        using var engine = new Process { StartInfo = start };
        engine.OutputDataReceived += (_, e) => ProcessSignals.Append(output, e.Data);
        engine.ErrorDataReceived += (_, e) => ProcessSignals.Append(output, e.Data);
        engine.Start();
        engine.BeginOutputReadLine();
        engine.BeginErrorReadLine();
        try
        {
            var staged = ProcessSignals.Poll(() => engine.HasExited || StagedFiles(outputFolder).Length > 0, StagingLimit);
            Assert.True(staged && !engine.HasExited, $"the engine did not stage its output while running (exited: {engine.HasExited}):\n{Text(output)}");

            ProcessSignals.Send(signal, engine.Id);
            var signalled = Stopwatch.StartNew();
            Assert.True(engine.WaitForExit(ExitLimit), $"still running {ExitLimit.TotalSeconds} s after SIG{signal}:\n{Text(output)}");
            signalled.Stop();
            engine.WaitForExit();

            Assert.True(engine.ExitCode != 0, $"exit 0 after SIG{signal}:\n{Text(output)}");
            Assert.Contains("MP3010", Text(output));
            Assert.Contains($"SIG{signal}", Text(output));
            Assert.False(File.Exists(Path.Combine(outputFolder, "wide.onnx")), "the model appeared");
            Assert.Empty(StagedFiles(outputFolder));
            Assert.Empty(Directory.Exists(outputFolder) ? Directory.GetFileSystemEntries(outputFolder) : Array.Empty<string>());
            var cacheStaging = Path.Combine(cache, "v1", "tmp");
            Assert.Empty(Directory.Exists(cacheStaging) ? Directory.GetFileSystemEntries(cacheStaging) : Array.Empty<string>());
        }
        finally
        {
            if (!engine.HasExited) engine.Kill(entireProcessTree: true);
        }
    }

    private static string[] StagedFiles(string folder) =>
        Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder, "*.tmp") : Array.Empty<string>();

    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}
