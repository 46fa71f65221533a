using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Pipeline;

/// <summary>What the pruning stage did: per weight, and for structured runs per group of units.</summary>
internal sealed record PruningResult(IReadOnlyList<LayerReport> Layers, StructuredReport? Structured = null);
