namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The deterministic report (<c>name.prune.json</c>): identical inputs and settings give identical bytes.
/// Anything that varies between runs (timings, cache hits) lives in <see cref="RunInfo"/> instead.
/// </summary>
public sealed record PruneReport(
    string Schema,
    EngineInfo Engine,
    ModelFileInfo Input,
    ModelFileInfo Output,
    ReportSettings Settings,
    IReadOnlyList<LayerReport> Layers,
    ReportTotals Totals,
    EvaluationReport Evaluation,
    IReadOnlyList<ReportMessage> Warnings)
{
    public const string CurrentSchema = "modelprune.report/1";
}
