using ModelPrune.Engine.Search;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// What <c>Sparsity="auto"</c> did: the target (the key <paramref name="Metric"/> of output <paramref name="Output"/>,
/// the report field <paramref name="MetricField"/> the baseline gate compares, allowed to fall by
/// <paramref name="AllowedDrop"/> from <paramref name="OriginalValue"/>), every probe in order, the sensitivity
/// ranking (most sensitive first), the layers kept dense and why the search stopped. Deterministic, as the rest of
/// the report: how long it took is in the run file's timings (<c>search</c>).
/// </summary>
/// <param name="MaxMetricDrop">As given: an amount, or a share of the original value when <paramref name="DropType"/> is relative.</param>
/// <param name="StatisticsPasses">Calibration passes the whole search needed: 0 without calibration, else 1 or 2 (fit, held out) however many probes.</param>
internal sealed record SearchReport(
    string Knob,
    string Metric,
    string Output,
    string MetricField,
    double OriginalValue,
    double ChosenValue,
    double MaxMetricDrop,
    string DropType,
    double AllowedDrop,
    int Budget,
    int Probes,
    int StatisticsPasses,
    double ChosenSparsity,
    IReadOnlyList<string> RestoredLayers,
    string StopReason,
    IReadOnlyList<SearchProbe> Trace,
    IReadOnlyList<LayerSensitivity> Sensitivity);
