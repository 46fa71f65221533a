namespace ModelPrune.Engine.Reporting;

/// <summary>
/// ONNX Runtime latency of one evaluation batch: the median of <see cref="Runs"/> timed runs after
/// <see cref="WarmupRuns"/> untimed ones, per model, on <see cref="Device"/>, in sessions with every graph optimisation
/// (as deployed), both models loaded and timed in turns. Only in the run record: it varies
/// from run to run and machine to machine.
/// </summary>
internal sealed record LatencyReport(string Device, int BatchSize, int WarmupRuns, int Runs, double OriginalMilliseconds, double PrunedMilliseconds);
