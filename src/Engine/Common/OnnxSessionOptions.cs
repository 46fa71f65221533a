using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Session options for the engine's ONNX Runtime sessions, which each run a model over a little data once:
/// no graph rewrites (they cannot change what the outputs mean, cost time and make folded copies of
/// constants), no prepacked second copy of every MatMul weight (one pass does not pay it back), and ORT's
/// own warnings kept out of build logs. The caller disposes the options once the session exists (the
/// session copies what it needs) and appends the execution provider (<see cref="ExecutionDevice.Configure"/>).
/// </summary>
internal static class OnnxSessionOptions
{
    /// <summary>
    /// Sessions as an application deploys them, for timing: every graph optimisation (fusions and the CPU's blocked
    /// layouts, which decide whether a pruned shape is fast), all cores, and no spinning, so that the session not being
    /// timed does not burn a core while the other runs.
    /// </summary>
    public static SessionOptions ForLatency()
    {
        OnnxRuntimeEnvironment.EnsureCreated();
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = Environment.ProcessorCount,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    public static SessionOptions ForOnePass()
    {
        // Options create ORT's environment when none exists: it must be the engine's, which keeps ORT's log off stderr.
        OnnxRuntimeEnvironment.EnsureCreated();
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            IntraOpNumThreads = Environment.ProcessorCount,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        return options;
    }
}
