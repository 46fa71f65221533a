namespace ModelPrune.Engine.Reporting;

/// <summary>
/// What varies from run to run, kept out of the deterministic report: written to <c>name.prune.run.json</c>
/// and shown at the end of the Markdown. Cache is <c>hit</c>, <c>miss</c>, <c>disabled</c> or <c>replaced-corrupt</c>.
/// Latency is null when the models were not run (a cache hit).
/// </summary>
internal sealed record RunInfo(string Cache, string Device, IReadOnlyList<RunTiming> Timings, LatencyReport? Latency = null);
