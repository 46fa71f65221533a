using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Turns the <c>Device</c> setting into the device the run uses. The CUDA probe runs at most once per process
/// (all models of a batch share its answer) and only when a setting allows CUDA: Device="cpu" never loads a
/// GPU library.
/// </summary>
internal sealed class ExecutionDeviceResolver
{
    private readonly Lazy<string?> _cudaFailure;

    /// <param name="probeCuda">Null when CUDA works, else the reason it does not (see <see cref="CudaProbe"/>).</param>
    public ExecutionDeviceResolver(Func<string?> probeCuda)
    {
        ArgumentNullException.ThrowIfNull(probeCuda);
        _cudaFailure = new Lazy<string?>(probeCuda, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The engine's resolver, probing the real ONNX Runtime.</summary>
    public static ExecutionDeviceResolver Shared { get; } = new(CudaProbe.FailureReason);

    /// <param name="file">The model named in the error when CUDA is demanded and unavailable.</param>
    public ExecutionDevice Resolve(RequestedDevice requested, string file)
    {
        switch (requested)
        {
            case RequestedDevice.Cpu:
                return ExecutionDevice.Cpu;
            case RequestedDevice.Auto:
                return _cudaFailure.Value is { } reason ? ExecutionDevice.CpuBecauseCudaIsUnavailable(reason) : ExecutionDevice.Cuda;
            case RequestedDevice.Cuda:
                return _cudaFailure.Value is { } failure
                    ? throw new ModelPruneException(DiagnosticCodes.CudaUnavailable, file,
                        $"Device=\"cuda\" was requested, but ONNX Runtime cannot create a CUDA session here: {failure}. "
                        + "Prune on a machine with an NVIDIA GPU, its driver, CUDA 13 and cuDNN 9 on the library path, with the GPU build of ONNX Runtime "
                        + "(ModelPruneOnnxRuntimeGpu=true in MSBuild, --onnxruntime-native-dir on the command line); or use Device=\"auto\" to fall back to the CPU.")
                    : ExecutionDevice.Cuda;
            default:
                throw new ArgumentOutOfRangeException(nameof(requested), requested, "unknown device");
        }
    }
}
