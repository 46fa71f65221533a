using ModelPrune.Engine.Pipeline;

namespace ModelPrune.Engine.Search;

/// <summary>
/// What the search chose and why: the chosen point and its settings (what the build then prunes with), every
/// probe in order, the sensitivity ranking (most sensitive first), why it stopped, and the layers the refinement
/// moved off the most compressed level, each as <c>name=level</c>.
/// </summary>
internal sealed record SearchResult(
    SearchPoint Chosen,
    PruneSettings ChosenSettings,
    IReadOnlyList<SearchProbe> Trace,
    IReadOnlyList<LayerSensitivity> Sensitivity,
    string StopReason,
    SearchMetric Original,
    IReadOnlyList<string> Restored);
