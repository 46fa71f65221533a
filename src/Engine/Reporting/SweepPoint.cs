namespace ModelPrune.Engine.Reporting;

/// <summary>
/// One point of the metric-versus-sparsity curve (<c>SweepSparsities</c>): the model pruned with the same
/// settings at <paramref name="Sparsity"/>, and its key metric on the same evaluation inputs.
/// </summary>
/// <param name="AchievedSparsity">The zeros over the pruned layers' weights, as in the totals.</param>
/// <param name="Metric">What <paramref name="Value"/> is, e.g. "top-1 agreement" (see <see cref="KeyMetric.Numeric"/>).</param>
/// <param name="Bytes">The point's model file: what a build at that sparsity would ship.</param>
/// <param name="GzipBytes">That file gzip-compressed: where the zeros show (a quantized file's raw size is the same at every sparsity).</param>
internal sealed record SweepPoint(double Sparsity, double AchievedSparsity, string Metric, double Value, long Bytes, long GzipBytes);
