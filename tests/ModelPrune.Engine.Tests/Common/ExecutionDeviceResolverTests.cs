using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Tests.Common;

public sealed class ExecutionDeviceResolverTests
{
    private const string NoCuda = "libcublasLt.so.13: cannot open shared object file";

    [Fact]
    public void Cpu_is_the_cpu_and_never_probes_cuda()
    {
        var probes = 0;
        var resolver = new ExecutionDeviceResolver(() => { probes++; return null; });

        var device = resolver.Resolve(RequestedDevice.Cpu, "m.onnx");

        Assert.Same(ExecutionDevice.Cpu, device);
        Assert.Equal("cpu", device.Description);
        Assert.Equal(0, probes);
    }

    [Fact]
    public void Auto_falls_back_to_the_cpu_with_the_probe_s_reason()
    {
        var device = new ExecutionDeviceResolver(() => NoCuda).Resolve(RequestedDevice.Auto, "m.onnx");

        Assert.Equal("cpu", device.Name);
        Assert.Equal(NoCuda, device.FallbackReason);
        Assert.Equal($"cpu (cuda unavailable: {NoCuda})", device.Description);
    }

    [Fact]
    public void Auto_and_cuda_use_cuda_where_a_cuda_session_runs()
    {
        var resolver = new ExecutionDeviceResolver(() => null);

        Assert.Same(ExecutionDevice.Cuda, resolver.Resolve(RequestedDevice.Auto, "m.onnx"));
        Assert.Same(ExecutionDevice.Cuda, resolver.Resolve(RequestedDevice.Cuda, "m.onnx"));
    }

    [Fact]
    public void Cuda_without_cuda_is_a_coded_error_naming_the_model_and_the_reason()
    {
        var resolver = new ExecutionDeviceResolver(() => NoCuda);

        var e = Assert.Throws<ModelPruneException>(() => resolver.Resolve(RequestedDevice.Cuda, "/models/m.onnx"));

        Assert.Equal(DiagnosticCodes.CudaUnavailable, e.Diagnostic.Code);
        Assert.StartsWith("/models/m.onnx: error MP3006: ", e.Diagnostic.ToString());
        Assert.Contains(NoCuda, e.Message);
        Assert.Contains("ModelPruneOnnxRuntimeGpu=true", e.Message);
    }

    [Fact]
    public void The_probe_runs_once_however_many_models_ask()
    {
        var probes = 0;
        var resolver = new ExecutionDeviceResolver(() => { Interlocked.Increment(ref probes); Thread.Sleep(20); return NoCuda; });

        Parallel.For(0, 8, i => resolver.Resolve(i % 2 == 0 ? RequestedDevice.Auto : RequestedDevice.Cpu, "m.onnx"));
        Assert.Throws<ModelPruneException>(() => resolver.Resolve(RequestedDevice.Cuda, "m.onnx"));

        Assert.Equal(1, probes);
    }

    /// <summary>The engine ships ORT's CPU build, which lacks even the CUDA entry point: auto must still run, on the CPU.</summary>
    [Fact]
    public void On_the_shipped_cpu_build_auto_falls_back_and_says_why()
    {
        var device = ExecutionDeviceResolver.Shared.Resolve(RequestedDevice.Auto, "m.onnx");

        Assert.Equal("cpu", device.Name);
        Assert.Equal("the CPU build of ONNX Runtime has no CUDA execution provider", device.FallbackReason);
        Assert.NotNull(CudaProbe.FailureReason());
    }
}
