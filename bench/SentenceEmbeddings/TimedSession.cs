using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings;

/// <summary>
/// An inference session as an application would open one, for timing: ONNX Runtime's default graph
/// optimisations (ORT_ENABLE_ALL: constant folding, fusions, layout transforms, weight prepacking), CPU,
/// a fixed number of intra-op threads, sequential execution. Unlike the engine's one-pass sessions nothing
/// is switched off, so the latency is the one a user of the pruned model gets.
/// </summary>
/// <remarks>
/// Two sessions timed in one process should share one intra-op thread pool (<see cref="UseSharedThreadPool"/>):
/// with a pool each, the idle session's worker keeps spin-waiting for work while the other session runs, and on
/// a 2-core machine it takes a core from it. Measured on MiniLM, batch 32, 2 threads: dense against itself ran
/// at a median of 65–70 ms with quartiles ±25% with a pool per session, 51–57 ms within ±5% with the shared pool,
/// and 49–51 ms for one session alone.
/// </remarks>
internal sealed class TimedSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();

    public TimedSession(string modelPath, int threads, string? optimizedModelPath = null)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // The environment's pool then runs this session's operators (its size is the environment's, set to the same count).
        if (SharedThreadPool) options.DisablePerSessionThreads();
        // ORT writes the graph it will run (after its optimisations) when asked; only for the look at fusions.
        if (optimizedModelPath is not null) options.OptimizedModelFilePath = optimizedModelPath;
        _session = new InferenceSession(modelPath, options);
        _outputNames = _session.OutputMetadata.Keys.ToArray();
    }

    private static bool SharedThreadPool { get; set; }

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.InputMetadata;

    /// <summary>
    /// Creates ONNX Runtime's environment with one global intra-op pool of <paramref name="threads"/> threads
    /// (spin-waiting as per-session pools do by default) for every session opened after it. Must come first:
    /// the environment exists once per process.
    /// </summary>
    public static void UseSharedThreadPool(int threads)
    {
        if (OrtEnv.IsCreated) throw new InvalidOperationException("ONNX Runtime's environment exists already; the shared thread pool must be set up first");
        var environment = new EnvironmentCreationOptions
        {
            threadOptions = new OrtThreadingOptions { GlobalIntraOpNumThreads = threads, GlobalInterOpNumThreads = 1 },
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        OrtEnv.CreateInstanceWithOptions(ref environment);
        SharedThreadPool = true;
    }

    /// <summary>Wall time of one Run over all outputs, output allocation included (an application pays it too).</summary>
    public double RunMilliseconds(LatencyInputs inputs)
    {
        var watch = Stopwatch.StartNew();
        using (_session.Run(_runOptions, inputs.Names, inputs.Values, _outputNames))
        {
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
