namespace ModelPrune.Engine.Baseline;

/// <summary>The parts of a <c>.prune.json</c> the gate compares, read without binding to today's report types.</summary>
internal sealed record BaselineReport(
    string Schema,
    string? OutputSha256,
    IReadOnlyList<LayerStructure> Layers,
    IReadOnlyDictionary<string, ReportMetric> Metrics);
