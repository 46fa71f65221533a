using System.Text.Json.Serialization;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The deterministic report (<c>name.prune.json</c>): identical inputs and settings give identical bytes.
/// Anything that varies between runs (timings, latency, cache hits) lives in <see cref="RunInfo"/> instead.
/// <see cref="Cost"/> is written after the totals it belongs with; it is last among the parameters only so that
/// code building reports without it keeps compiling.
/// </summary>
internal sealed record PruneReport(
    string Schema,
    EngineInfo Engine,
    ModelFileInfo Input,
    ModelFileInfo Output,
    ReportSettings Settings,
    IReadOnlyList<LayerReport> Layers,
    ReportTotals Totals,
    [property: JsonPropertyOrder(2)] EvaluationReport Evaluation,
    [property: JsonPropertyOrder(3)] IReadOnlyList<ReportMessage> Warnings,
    [property: JsonPropertyOrder(1)] CostReport? Cost = null,
    [property: JsonPropertyOrder(2)] IReadOnlyList<SweepPoint>? Sweep = null,
    [property: JsonPropertyOrder(1)] StructuredReport? Structured = null,
    [property: JsonPropertyOrder(1)] QuantizationReport? Quantization = null,
    [property: JsonPropertyOrder(2)] SearchReport? Search = null)
{
    public const string CurrentSchema = "modelprune.report/2";
}
