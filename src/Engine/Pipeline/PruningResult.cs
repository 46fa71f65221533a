using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Pipeline;

/// <summary>What the pruning stage did: per weight, and for structured runs per group of units.</summary>
/// <param name="JointlyQuantized">By weight name, the layers SparseGPT already quantized in its pruning pass, for the quantization stage to store as they are.</param>
internal sealed record PruningResult(IReadOnlyList<LayerReport> Layers, StructuredReport? Structured = null,
    IReadOnlyDictionary<string, QuantizedMatrix>? JointlyQuantized = null);
