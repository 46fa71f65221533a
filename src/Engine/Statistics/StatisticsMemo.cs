namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Calibration statistics measured once on the dense model and handed to every later prune of the same model and
/// calibration set: the probes of <c>Sparsity="auto"</c> differ only in how much they prune, and in one-pass mode
/// the statistics do not depend on that, so each probe costs a prune and an evaluation, not another calibration pass.
/// </summary>
internal sealed class StatisticsMemo
{
    private readonly Dictionary<string, LayerStatisticsResult> _results = new(StringComparer.Ordinal);

    /// <summary>How many calibration passes really ran (the rest were served from here).</summary>
    public int Collected { get; private set; }

    public LayerStatisticsResult GetOrCollect(string key, Func<LayerStatisticsResult> collect)
    {
        if (_results.TryGetValue(key, out var known)) return known;
        var result = collect();
        Collected++;
        _results[key] = result;
        return result;
    }
}
