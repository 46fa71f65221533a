using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// What comparing the models gives: the deterministic evaluation, the latency (for the run record only, null
/// when it was not measured) and deterministic warnings about the evaluation (for the report).
/// </summary>
internal sealed record ComparisonResult(EvaluationReport Report, LatencyReport? Latency, IReadOnlyList<ReportMessage> Warnings);
