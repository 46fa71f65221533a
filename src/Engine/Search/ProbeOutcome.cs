namespace ModelPrune.Engine.Search;

/// <summary>What one probe measured: the key metric on the evaluation samples and how compressed the model was.</summary>
/// <param name="AchievedSparsity">Zeros over the searchable layers' parameters, as the report's totals count them.</param>
/// <param name="NonzeroParameters">Float parameters of the whole model that are not zero: the size the search shrinks.</param>
internal sealed record ProbeOutcome(SearchMetric Metric, double AchievedSparsity, long NonzeroParameters);
