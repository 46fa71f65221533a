namespace ModelPrune.Engine.Reporting;

/// <summary>The normalised settings the model was pruned with (the same text feeds the cache key).</summary>
internal sealed record ReportSettings(
    string Method,
    double Sparsity,
    string Pattern,
    double MaxLayerSparsity,
    IReadOnlyList<string> Include,
    IReadOnlyList<string> Exclude,
    int Seed,
    IReadOnlyList<string> Dimensions,
    CalibrationReport? Calibration = null,
    string? Allocation = null,
    double? MinLayerSparsity = null,
    string? Structure = null);
