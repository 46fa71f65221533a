using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Whether ONNX Runtime can really run on CUDA here, found by creating and running a one-node session with
/// the CUDA provider. Nothing cheaper answers it: <c>OrtEnv.GetAvailableProviders()</c> lists CUDA for every
/// GPU build of ORT, on machines without a GPU, CUDA or cuDNN too. Costs a few milliseconds where it fails
/// and a CUDA context (about a second) where it works; <see cref="ExecutionDeviceResolver"/> asks once per process.
/// </summary>
internal static class CudaProbe
{
    /// <summary>Null when a CUDA session ran; otherwise why not, in one line.</summary>
    public static string? FailureReason()
    {
        // Never beside the warm-up session on the other thread: creating the two at once raced inside ONNX
        // Runtime's CPU detection and aborted the process ("Fatal error in cpuinfo: cpuinfo_get_cores_count called
        // before cpuinfo is initialized"), seen once in a CI run of the Device="cuda" build test.
        Evaluation.OnnxRuntimeWarmup.Wait();
        OnnxRuntimeEnvironment.EnsureCreated();
        var errorsBefore = OnnxRuntimeEnvironment.ErrorCount;
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            ExecutionDevice.Cuda.Configure(options);
            using var session = new InferenceSession(IdentityModel.Bytes, options);
            using var input = OrtValue.CreateTensorValueFromMemory(new float[] { 1f }, new long[] { 1 });
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, new[] { IdentityModel.InputName }, new[] { input }, new[] { IdentityModel.OutputName });
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            // The CPU build of ORT (the package's own natives) does not even export the CUDA entry point.
            return "the CPU build of ONNX Runtime has no CUDA execution provider";
        }
        catch (OnnxRuntimeException e)
        {
            // ORT's exception says only "Failed to load shared library"; the library that is missing is in its log.
            var logged = OnnxRuntimeEnvironment.ErrorsSince(errorsBefore);
            return OneLine(logged.Count > 0 ? $"{e.Message}: {DetailOf(logged[^1])}" : e.Message);
        }
    }

    /// <summary>ORT's log lines carry a source location and a wrapped error; the operating system's words come last.</summary>
    private static string DetailOf(string logged)
    {
        const string marker = "with error: ";
        var at = logged.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? logged : logged[(at + marker.Length)..];
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
