using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Where ONNX Runtime computes the statistics: a name for the report and the change to the session
/// options that selects the execution provider. Only the CPU exists today; a CUDA device is a second
/// instance whose Configure appends the CUDA provider, without touching the collector.
/// </summary>
public sealed record StatisticsDevice(string Name, Action<SessionOptions> Configure)
{
    /// <summary>ORT's default CPU provider: nothing to append.</summary>
    public static StatisticsDevice Cpu { get; } = new("cpu", _ => { });
}
