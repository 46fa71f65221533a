using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// What <see cref="CandidateModel"/> measured: the totals, the non-zero float parameters, the comparison with the
/// original, the file raw and gzip-compressed, and per layer what pruning and quantization did (null
/// <paramref name="Quantization"/> when not quantized).
/// </summary>
internal sealed record CandidateOutcome(ReportTotals Totals, long NonzeroParameters, ComparisonResult Comparison, long Bytes, long GzipBytes,
    IReadOnlyList<LayerReport> Layers, QuantizationReport? Quantization);
