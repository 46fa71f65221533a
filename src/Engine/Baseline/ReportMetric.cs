namespace ModelPrune.Engine.Baseline;

/// <summary>One quality number of a report, e.g. <c>evaluation.outputs[logits].cosine</c> = 0.971261.</summary>
internal sealed record ReportMetric(string Path, string Name, double Value, MetricDirection Direction);
