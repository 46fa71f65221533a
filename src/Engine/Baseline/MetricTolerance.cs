namespace ModelPrune.Engine.Baseline;

/// <summary>
/// A per-metric override from <c>MetricTolerances</c>. The key is a metric name (<c>cosine</c>) or a longer
/// tail of its path (<c>outputs[logits].cosine</c>); it matches a path ending in it at a segment boundary.
/// </summary>
internal sealed record MetricTolerance(string Key, Tolerance Tolerance)
{
    public bool Matches(string metricPath) =>
        metricPath.Equals(Key, StringComparison.OrdinalIgnoreCase)
        || (metricPath.EndsWith(Key, StringComparison.OrdinalIgnoreCase)
            && metricPath[metricPath.Length - Key.Length - 1] == '.');
}
