namespace ModelPrune.Engine.Reporting;

/// <summary>The EvaluationData file as given, its SHA-256, the samples compared and the label arrays it held (sorted).</summary>
internal sealed record EvaluationDataReport(string Source, string Sha256, int Samples, IReadOnlyList<string> Labels);
