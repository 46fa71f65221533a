using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>One model's result as printed; StepSummary is the Markdown summary table appended to GITHUB_STEP_SUMMARY.</summary>
internal sealed record ModelOutcome(bool Succeeded, string? SummaryLine, IReadOnlyList<Diagnostic> Diagnostics, string? StepSummary = null);
