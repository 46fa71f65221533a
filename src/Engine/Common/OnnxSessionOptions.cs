using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Session options for the engine's ONNX Runtime sessions, which each run a model over a little data once:
/// no graph rewrites (they cannot change what the outputs mean, cost time and make folded copies of
/// constants), no prepacked second copy of every MatMul weight (one pass does not pay it back), and ORT's
/// own warnings kept out of build logs. The caller disposes the options once the session exists (the
/// session copies what it needs) and appends the execution provider (<see cref="ExecutionDevice.Configure"/>).
/// </summary>
public static class OnnxSessionOptions
{
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
