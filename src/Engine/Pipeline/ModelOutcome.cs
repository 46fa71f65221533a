using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Pipeline;

public sealed record ModelOutcome(bool Succeeded, string? SummaryLine, IReadOnlyList<Diagnostic> Diagnostics);
