namespace ModelPrune.Engine.Baseline;

/// <summary>Everything that decides whether a new report still matches its baseline.</summary>
internal sealed record ToleranceSettings(Tolerance MaxMetricDrop, IReadOnlyList<MetricTolerance> Overrides, bool CompareModelHash)
{
    /// <summary>Documented in docs/msbuild.md: metrics mostly live in [0, 1], where 0.01 is one percentage point.</summary>
    public static readonly Tolerance DefaultMaxMetricDrop = new(0.01, IsRelative: false);

    public static ToleranceSettings Default { get; } = new(DefaultMaxMetricDrop, Array.Empty<MetricTolerance>(), CompareModelHash: false);

    /// <summary>The longest matching key wins, so <c>outputs[logits].cosine</c> beats <c>cosine</c>.</summary>
    public (Tolerance Tolerance, string Source) For(string metricPath)
    {
        var match = Overrides
            .Where(o => o.Matches(metricPath))
            .OrderByDescending(o => o.Key.Length)
            .FirstOrDefault();
        return match is null ? (MaxMetricDrop, "MaxMetricDrop") : (match.Tolerance, $"MetricTolerances '{match.Key}'");
    }
}
