using System.Globalization;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Pipeline;

namespace ModelPrune.Engine.Search;

/// <summary>
/// What every search shares: it spends probes from <see cref="SearchSettings.Budget"/>, records each in order, and
/// judges each against the target exactly as the baseline gate would. The first probe also tells the original model's
/// value of the key metric.
/// </summary>
internal sealed class SearchTrace
{
    private readonly SearchSettings _search;
    private readonly Func<PruneSettings, ProbeOutcome> _probe;
    private readonly List<SearchProbe> _probes = new();

    public SearchTrace(SearchSettings search, Func<PruneSettings, ProbeOutcome> probe)
    {
        _search = search;
        _probe = probe;
    }

    public IReadOnlyList<SearchProbe> Probes => _probes;

    public int Count => _probes.Count;

    public int Budget => _search.Budget;

    /// <summary>Probes the budget still allows.</summary>
    public int Left => _search.Budget - _probes.Count;

    /// <summary>Known once a probe ran; every search probes at least once (the budget is at least <see cref="SearchSettings.MinBudget"/>).</summary>
    public SearchMetric? Original { get; private set; }

    /// <summary>Runs one probe and records it: <paramref name="total"/> is the sparsity the search asked for, <paramref name="layers"/> what it changed per layer.</summary>
    public ProbeOutcome Run(string phase, PruneSettings settings, double total, IReadOnlyList<string> layers)
    {
        var outcome = _probe(settings);
        Original ??= outcome.Metric;
        _probes.Add(new SearchProbe(_probes.Count + 1, phase, total, layers, outcome.AchievedSparsity, outcome.NonzeroParameters, outcome.Metric.Value,
            Keeps(outcome), outcome.Bytes, outcome.GzipBytes, outcome.BitsPerWeight));
        return outcome;
    }

    public bool Keeps(ProbeOutcome outcome) => outcome.Metric.Keeps(_search.MaxDrop);

    public string BudgetSpent() => string.Create(CultureInfo.InvariantCulture, $"SearchBudget ({_search.Budget} probes) spent");

    /// <summary>A fall in the key metric, rounded like every metric: a subtraction of 6-digit values carries binary noise.</summary>
    public static double Worsening(ProbeOutcome outcome) => MetricRounding.Round6(outcome.Metric.Worsening);
}
