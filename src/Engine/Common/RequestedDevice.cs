namespace ModelPrune.Engine.Common;

/// <summary>The <c>Device</c> setting: what the user allows, before <see cref="ExecutionDeviceResolver"/> looks at the machine.</summary>
internal enum RequestedDevice
{
    /// <summary>CUDA when ONNX Runtime can really create a CUDA session, else the CPU (the default).</summary>
    Auto,

    /// <summary>The CPU; CUDA is never tried.</summary>
    Cpu,

    /// <summary>CUDA or a coded error: for machines where falling back silently would hide a broken GPU setup.</summary>
    Cuda,
}
