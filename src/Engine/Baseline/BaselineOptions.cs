namespace ModelPrune.Engine.Baseline;

/// <summary>The <c>baseline</c> command's arguments, as given (tolerances are parsed by the gate).</summary>
internal sealed record BaselineOptions(
    string ReportPath,
    string BaselinePath,
    string? MaxMetricDrop,
    string? MetricTolerances,
    string? CompareModelHash,
    bool Accept,
    bool Strict,
    string? DisplayName = null,
    string? DropType = null);
