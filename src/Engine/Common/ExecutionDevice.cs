using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Where ONNX Runtime runs the engine's sessions (calibration statistics and the evaluation of original and
/// pruned model): a name and the change to the session options that selects the execution provider. The
/// managed pruning math runs on the CPU whatever this says. <see cref="ExecutionDeviceResolver"/> decides
/// which one a run gets.
/// </summary>
internal sealed class ExecutionDevice
{
    public const string CpuName = "cpu";
    public const string CudaName = "cuda";

    private readonly Action<SessionOptions> _configure;

    /// <param name="name">The execution provider, as reports and the cache key name it (<c>cpu</c>, <c>cuda</c>).</param>
    /// <param name="configure">Appends the provider to a session's options.</param>
    /// <param name="fallbackReason">Why this is the CPU although CUDA was acceptable (Device="auto"); null otherwise.</param>
    public ExecutionDevice(string name, Action<SessionOptions> configure, string? fallbackReason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        Name = name;
        _configure = configure;
        FallbackReason = fallbackReason;
    }

    /// <summary>ORT's default CPU provider: nothing to append.</summary>
    public static ExecutionDevice Cpu { get; } = new(CpuName, _ => { });

    /// <summary>Device 0; ORT still places the few nodes CUDA has no kernel for on the CPU.</summary>
    public static ExecutionDevice Cuda { get; } = new(CudaName, options => options.AppendExecutionProvider_CUDA(0));

    public string Name { get; }

    /// <summary>Whether ORT runs on the CPU, where sessions can use the engine's own tensor buffers (<see cref="Onnx.SharedTensorSession"/>).</summary>
    public bool IsCpu => Name == CpuName;

    public string? FallbackReason { get; }

    /// <summary>For <c>.prune.run.json</c>: <c>cpu</c>, <c>cuda</c>, or <c>cpu (cuda unavailable: reason)</c>.</summary>
    public string Description => FallbackReason is null ? Name : $"{Name} (cuda unavailable: {FallbackReason})";

    public static ExecutionDevice CpuBecauseCudaIsUnavailable(string reason) => new(CpuName, Cpu._configure, reason);

    public void Configure(SessionOptions options) => _configure(options);
}
