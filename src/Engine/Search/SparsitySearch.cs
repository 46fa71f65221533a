using System.Globalization;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Pipeline;

namespace ModelPrune.Engine.Search;

/// <summary>
/// Sparsity="auto": the most compressed model whose key metric stays within the target, in at most
/// <see cref="SearchSettings.Budget"/> probes. Three phases, each deterministic (grid-rounded points, ties by name):
/// <list type="number">
/// <item>Global: bisection of one sparsity for every layer between 0 (the original, which keeps the target by
/// definition) and the knob's ceiling, on a grid of <see cref="Grid"/>, until the passing and failing bounds are
/// <see cref="Resolution"/> apart.</item>
/// <item>Sensitivity: each layer alone pruned at the first failing sparsity, the key metric's fall measured on the
/// real evaluation samples (not a proxy); most sensitive first. When the budget cannot probe every layer, the
/// smallest layers are measured (the cheapest to keep dense) and the rest are never restored.</item>
/// <item>Refinement: the most sensitive layer, then the two most sensitive, and so on, kept dense at the failing
/// sparsity with their share moved to the others; the first set that keeps the target is bisected upwards.</item>
/// </list>
/// The probe itself (prune with shared statistics, evaluate) is the caller's: the search only sees outcomes.
/// </summary>
internal sealed class SparsitySearch
{
    /// <summary>Probed sparsities are multiples of this, so reruns and other machines probe the same points.</summary>
    public const double Grid = 0.005;

    /// <summary>The global and refinement bisections stop when pass and fail are this close (one point of sparsity).</summary>
    public const double Resolution = 0.01;

    private readonly PruneSettings _settings;
    private readonly SearchSettings _search;
    private readonly ISearchKnob _knob;
    private readonly IReadOnlyList<SearchLayer> _layers;
    private readonly SearchTrace _trace;

    public SparsitySearch(PruneSettings settings, ISearchKnob knob, IReadOnlyList<SearchLayer> layers, Func<PruneSettings, ProbeOutcome> probe)
    {
        _settings = settings;
        _search = settings.Search ?? throw new ArgumentException("not a search", nameof(settings));
        _knob = knob;
        _layers = layers;
        _trace = new SearchTrace(_search, probe);
    }

    private int Left => _trace.Left;

    public SearchResult Run()
    {
        // Global phase: leave room for a sensitivity probe per layer and a few refinements where the budget allows.
        var globalBudget = Math.Max(_search.Budget / 2, _search.Budget - (_layers.Count + 4));
        var pass = SearchPoint.Uniform(0);
        double? failing = null;
        var high = _knob.MaxTotal;
        while (_trace.Count < globalBudget)
        {
            var mid = OnGrid((pass.Total + (failing ?? high)) / 2);
            var top = failing ?? high;
            if (top - pass.Total <= Resolution || mid <= pass.Total || mid >= top) break;
            if (Probe("global", SearchPoint.Uniform(mid), Array.Empty<string>()) is true) pass = SearchPoint.Uniform(mid);
            else failing = mid;
        }

        if (failing is null)
        {
            return Finish(pass, Array.Empty<LayerSensitivity>(), _trace.Count >= globalBudget
                ? Budget()
                : $"every probed sparsity up to {Percent(pass.Total)} kept the target; the ceiling is {Percent(_knob.MaxTotal)} (MaxLayerSparsity, at most 95%)");
        }

        var global = $"global search: {Percent(pass.Total)} keeps the target, {Percent(failing.Value)} does not";
        if (Left < 2 || _layers.Count < 2)
        {
            return Finish(pass, Array.Empty<LayerSensitivity>(), Left < 2 ? $"{global}; {Budget()} before per-layer refinement" : $"{global}; one layer only, nothing to refine");
        }

        var sensitivity = Sensitivity(failing.Value);
        var candidates = sensitivity.Where(s => s.Worsening > 0).Select(s => s.Layer).ToArray();
        if (candidates.Length == 0)
        {
            return Finish(pass, sensitivity, $"{global}; no single layer pruned alone at {Percent(failing.Value)} lowers the key metric, so none is worth keeping dense");
        }

        // Raise the most sensitive layer one level, then the next, ...; a second round raises them again (pruned →
        // halved → dense for sparsity). A raise the knob cannot carry (the others would pass their ceiling) is skipped.
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        var skipped = 0;
        for (var round = 1; round < _knob.Levels.Count; round++)
        {
            foreach (var layer in candidates)
            {
                if (Left < 1) return Finish(pass, sensitivity, $"{global}; {Budget()} during refinement");
                var raised = new Dictionary<string, int>(levels, StringComparer.Ordinal) { [layer] = round };
                var point = new SearchPoint(failing.Value, raised);
                var kept = Probe("refine", point, Describe(raised));
                if (kept is null)
                {
                    skipped++;
                    continue;
                }

                levels = raised;
                if (kept is true) return Climb(point, sensitivity, global);
            }
        }

        return Finish(pass, sensitivity, skipped > 0 && levels.Count == 0
            ? $"{global}; keeping any sensitive layer at a lower sparsity would push the others past {Percent(_knob.MaxTotal)}"
            : $"{global}; lowering the sparsity of the {candidates.Length} sensitive layer(s) step by step did not keep the target at {Percent(failing.Value)}");
    }

    /// <summary>The trace names each raised layer with its level, e.g. <c>fc1.weight=dense</c>.</summary>
    private IReadOnlyList<string> Describe(IReadOnlyDictionary<string, int> levels) =>
        levels.Where(l => l.Value > 0).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={_knob.Levels[l.Value]}").ToArray();

    /// <summary>With a restore set that keeps the target, how far the total can rise: bisection to the knob's reach.</summary>
    private SearchResult Climb(SearchPoint pass, IReadOnlyList<LayerSensitivity> sensitivity, string global)
    {
        var restored = Describe(pass.Levels);
        var high = HighestReachable(pass);
        double? failing = null;
        var start = pass.Total;
        // Said when it stops, with the total it reached by then.
        string Why() => $"{global}; with {string.Join(", ", restored)} {Percent(start)} keeps the target, and the total rises to {Percent(pass.Total)}";
        while (true)
        {
            var top = failing ?? high;
            var mid = OnGrid((pass.Total + top) / 2);
            if (top - pass.Total <= Resolution || mid <= pass.Total || mid > top)
            {
                if (failing is null && pass.Total < high && Left > 0 && Probe("refine", pass with { Total = high }, restored) is true) pass = pass with { Total = high };
                return Finish(pass, sensitivity, failing is null && pass.Total >= high
                    ? $"{Why()}; the others reach their ceiling ({Percent(_knob.MaxTotal)}) there"
                    : $"{Why()}, {Percent(failing ?? high)} does not (bounds within {Percent(Resolution)})");
            }

            if (Left < 1) return Finish(pass, sensitivity, $"{Why()}; {Budget()}");
            if (Probe("refine", pass with { Total = mid }, restored) is true) pass = pass with { Total = mid };
            else failing = mid;
        }
    }

    /// <summary>The highest grid total the knob can still configure with these levels.</summary>
    private double HighestReachable(SearchPoint point)
    {
        var high = OnGridBelow(_knob.MaxTotal);
        while (high > point.Total && _knob.Configure(_settings, point with { Total = high }, _layers) is null) high = Math.Round(high - Grid, 6);
        return high;
    }

    private IReadOnlyList<LayerSensitivity> Sensitivity(double sparsity)
    {
        // Keep at least two probes for the refinement itself.
        var measurable = Math.Max(0, Left - 2);
        var chosen = _layers
            .Select((layer, index) => (layer, index))
            .OrderBy(l => l.layer.Parameters)
            .ThenBy(l => l.index)
            .Take(measurable)
            .Select(l => l.layer)
            .ToArray();
        var results = new List<LayerSensitivity>();
        foreach (var layer in chosen)
        {
            var outcome = _trace.Run("sensitivity", _knob.Isolate(_settings, sparsity, layer.Name, _layers), sparsity, new[] { layer.Name });
            // Rounded like every metric: a subtraction of 6-digit values carries binary noise.
            results.Add(new LayerSensitivity(layer.Name, layer.Parameters, sparsity, outcome.Metric.Value, SearchTrace.Worsening(outcome)));
        }

        return results
            .OrderByDescending(s => s.Worsening)
            .ThenBy(s => s.Parameters)
            .ThenBy(s => s.Layer, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>True or false: the point kept the target or not; null: the knob cannot reach it (no probe spent).</summary>
    private bool? Probe(string phase, SearchPoint point, IReadOnlyList<string> layers)
    {
        var settings = _knob.Configure(_settings, point, _layers);
        if (settings is null) return null;
        return _trace.Keeps(_trace.Run(phase, settings, point.Total, layers));
    }

    private SearchResult Finish(SearchPoint chosen, IReadOnlyList<LayerSensitivity> sensitivity, string reason)
    {
        var settings = chosen.Total == 0 ? _settings with { Sparsity = 0 } : _knob.Configure(_settings, chosen, _layers)!;
        // Every search probes at least once (the budget is at least 4), so the original's value is known.
        return new SearchResult(chosen, settings, _trace.Probes, sensitivity, reason, _trace.Original!, Describe(chosen.Levels));
    }

    private string Budget() => _trace.BudgetSpent();

    private static double OnGrid(double value) => Math.Round(value / Grid, MidpointRounding.AwayFromZero) * Grid is var v ? Math.Round(v, 6) : 0;

    private static double OnGridBelow(double value) => Math.Round(Math.Floor((value / Grid) + 1e-9) * Grid, 6);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
