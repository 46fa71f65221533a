using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Common;

/// <summary>
/// The process's one ONNX Runtime environment, created with a logging callback instead of ORT's default
/// stderr logger: the task logs the engine's stderr as build output, where ORT's coloured lines about a
/// missing CUDA library would look like failures of a build that merely falls back to the CPU. The
/// callback keeps the recent errors instead, because ORT puts the useful part of a provider failure
/// (<c>libcublasLt.so.13: cannot open shared object file</c>) only into its log, not into the exception.
/// </summary>
internal static class OnnxRuntimeEnvironment
{
    private const int KeptErrors = 16;

    private static readonly Queue<string> RecentErrors = new();
    private static readonly Lazy<bool> Created = new(Create);

    // Native code calls this delegate for the life of the process: it must never be collected.
    private static readonly DOrtLoggingFunction Logger = Log;

    private static long _errorCount;

    /// <summary>Creates the environment unless something (a test host, say) already made ORT's default one.</summary>
    public static void EnsureCreated() => _ = Created.Value;

    /// <summary>How many errors ORT has logged so far; pass it to <see cref="ErrorsSince"/> to read the newer ones.</summary>
    public static long ErrorCount
    {
        get { lock (RecentErrors) { return _errorCount; } }
    }

    /// <summary>The errors ORT logged after <paramref name="count"/> was read (at most the last 16), oldest first.</summary>
    public static IReadOnlyList<string> ErrorsSince(long count)
    {
        lock (RecentErrors)
        {
            var newer = (int)Math.Min(RecentErrors.Count, _errorCount - count);
            return RecentErrors.Skip(RecentErrors.Count - newer).ToArray();
        }
    }

    private static bool Create()
    {
        if (OrtEnv.IsCreated) return false;
        var options = new EnvironmentCreationOptions
        {
            logId = "modelprune",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            loggingFunction = Logger,
        };
        try
        {
            OrtEnv.CreateInstanceWithOptions(ref options);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            // Another thread created the default environment first; ORT then logs to stderr, nothing worse.
            return false;
        }
    }

    private static void Log(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        if (severity < OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR) return;
        lock (RecentErrors)
        {
            if (RecentErrors.Count == KeptErrors) RecentErrors.Dequeue();
            RecentErrors.Enqueue(message);
            _errorCount++;
        }
    }
}
