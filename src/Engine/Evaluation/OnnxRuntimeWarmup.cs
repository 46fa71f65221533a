using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The first ONNX Runtime session of a process pays ~150 ms for loading the native library, creating the
/// environment and compiling the managed bindings. Paying it on another core while the engine reads and
/// prunes the model takes it off the critical path; a one-node model costs no memory worth mentioning.
/// Start it only after <see cref="OnnxRuntimeNativeLibrary.LoadFrom"/>, which must precede every ORT call.
/// </summary>
internal static class OnnxRuntimeWarmup
{
    private static readonly Lazy<Task> Warmed = new(() => Task.Run(Warm));

    public static void Start() => _ = Warmed.Value;

    /// <summary>Waits for a started warm-up. Its failures are ignored: the real session reports them with a code.</summary>
    public static void Wait()
    {
        if (!Warmed.IsValueCreated) return;
        try
        {
            Warmed.Value.Wait();
        }
        catch (AggregateException)
        {
        }
    }

    private static void Warm()
    {
        OnnxRuntimeEnvironment.EnsureCreated();
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(IdentityModel.Bytes, options);
        using var input = OrtValue.CreateTensorValueFromMemory(new float[] { 1f }, new long[] { 1 });
        using var outputs = session.Run(new RunOptions(), new[] { IdentityModel.InputName }, new[] { input }, new[] { IdentityModel.OutputName });
    }
}
