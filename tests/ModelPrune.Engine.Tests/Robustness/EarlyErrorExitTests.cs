using System.Text.Json;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Robustness;

/// <summary>
/// An error found before ONNX Runtime's first real use ends the run while its background warm-up may still be
/// loading the native library. The process must still exit 1 with the coded message, never die in native code
/// (exit 134/139: "cpuinfo_get_cores_count called before cpuinfo is initialized", "double free"), which turned
/// one user error into MP9001 for every model of a build. It crashed in about half the runs under load, so each
/// case runs several times in fresh processes while the other cores are kept busy.
/// </summary>
public sealed class EarlyErrorExitTests : IDisposable
{
    private const int RunsPerCase = 8;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, string[]> EarlyErrors() => new()
    {
        { "MP1001", new[] { "prune", "missing.onnx", "-o", "out/missing.onnx" } },
        { "MP1003", new[] { "prune", "{model}", "-o", "out/a.onnx", "--sparsity", "lots" } },
        { "MP1004", new[] { "prune", "{model}", "-o", "out/b.onnx", "--method", "best" } },
        { "MP1005", new[] { "prune", "{model}", "-o", "out/c.onnx", "--pattern", "5:3" } },
        { "MP1014", new[] { "prune", "{model}", "-o", "{model}" } },
        { "MP1046", new[] { "prune", "{model}", "-o", "out/d.onnx", "--device", "tpu" } },
    };

    [Theory]
    [MemberData(nameof(EarlyErrors))]
    public void An_early_error_exits_with_its_code_and_never_crashes_under_load(string code, string[] arguments)
    {
        var model = ModelFiles.Write(_folder, "mlp.onnx", FixtureModels.GemmMlp());
        var resolved = arguments.Select(a => a == "{model}" ? model : a.StartsWith("out/", StringComparison.Ordinal) ? _folder.File(a) : a).ToArray();

        var results = WithOtherCoresBusy(() => Enumerable.Range(0, RunsPerCase).Select(_ => EngineProcess.Run(new Dictionary<string, string?>(), resolved)).ToArray());

        Assert.All(results, result =>
        {
            Assert.True(result.ExitCode == 1, $"exit {result.ExitCode} (expected 1):\n{result.Output}");
            Assert.Contains($"error {code}:", result.Output);
        });
    }

    /// <summary>The MSBuild task's path: a bad model in a batch is its own coded error, not MP9001 for the batch.</summary>
    [Fact]
    public void A_batch_with_a_missing_model_reports_MP1001_and_exits_1_under_load()
    {
        var request = _folder.File("request.json");
        File.WriteAllText(request, JsonSerializer.Serialize(new
        {
            cacheEnabled = false,
            models = new[] { RequestJob.For(_folder, _folder.File("missing.onnx"), "Models/missing.onnx", "missing", new { }) },
        }));

        var results = WithOtherCoresBusy(() => Enumerable.Range(0, RunsPerCase).Select(_ => EngineProcess.Run(new Dictionary<string, string?>(), "batch", request)).ToArray());

        Assert.All(results, result =>
        {
            Assert.True(result.ExitCode == 1, $"exit {result.ExitCode} (expected 1):\n{result.Output}");
            Assert.Contains("error MP1001:", result.Output);
        });
    }

    private static T WithOtherCoresBusy<T>(Func<T> work)
    {
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount - 1))
            .Select(_ => Task.Factory.StartNew(() =>
            {
                while (!stop.IsCancellationRequested) Thread.SpinWait(1000);
            }, TaskCreationOptions.LongRunning))
            .ToArray();
        try
        {
            return work();
        }
        finally
        {
            stop.Cancel();
            Task.WaitAll(spinners);
        }
    }
}
