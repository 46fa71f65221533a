using System.Globalization;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Quantization;

namespace ModelPrune.Engine.Search;

/// <summary>
/// Quantize="auto": the smallest per-layer choice of int4, int8 and float whose key metric stays within the target,
/// at the sparsity given, in at most <see cref="SearchSettings.Budget"/> probes. Like NNCF's accuracy control, it
/// starts from the most compressed model and gives precision back to the layers that hurt most:
/// <list type="number">
/// <item>Uniform: every layer int4; if that keeps the target, done. Else every layer int8: if that keeps it, the
/// choice per layer is int4 or int8, else int8 or float.</item>
/// <item>Sensitivity, at the lower of the two levels with every other layer at the higher: the key metric measured
/// with one layer at a time lowered, when the budget can afford a probe per layer; otherwise the proxy each layer's
/// relative output error on calibration inputs at the lower level (measured in the uniform probe, no extra probe);
/// without calibration data as many of the smallest layers as the budget allows are measured and the rest stay at
/// the lower level.</item>
/// <item>Refinement: the k most sensitive layers at the higher level, the rest at the lower; k is bisected between 0
/// (fails: the uniform lower probe) and all of them, for the fewest raised layers that keep the target.</item>
/// </list>
/// Deterministic: ties rank by size, then by name.
/// </summary>
internal sealed class QuantizationSearch
{
    private const int Int4 = 4;
    private const int Int8 = 8;
    private const int Float = 0;

    private readonly PruneSettings _settings;
    private readonly QuantizationSettings _quantization;
    private readonly IReadOnlyList<SearchLayer> _layers;
    private readonly SearchTrace _trace;

    public QuantizationSearch(PruneSettings settings, IReadOnlyList<SearchLayer> layers, Func<PruneSettings, ProbeOutcome> probe)
    {
        _settings = settings;
        _quantization = settings.Quantization is { Mixed: not null } quantization ? quantization : throw new ArgumentException("not Quantize=\"auto\"", nameof(settings));
        _layers = layers;
        _trace = new SearchTrace(settings.Search ?? throw new ArgumentException("not a search", nameof(settings)), probe);
    }

    public SearchResult Run()
    {
        if (_layers.Count == 0) return Finish(Uniform(Float), Array.Empty<LayerSensitivity>(), "no layer can be quantized");

        // Layers only int8 can store (Gemm, Conv) are int8 at the int4 level too; without any MatMulNBits weight the
        // int4 probe would be the int8 one.
        ProbeOutcome? int4 = null;
        if (_layers.Any(l => l.LowestBits == Int4))
        {
            int4 = UniformProbe(Int4);
            if (_trace.Keeps(int4)) return Finish(Uniform(Int4), Array.Empty<LayerSensitivity>(), "every layer in int4 keeps the target");
        }

        var int8 = UniformProbe(Int8);
        if (int4 is null && _trace.Keeps(int8)) return Finish(Uniform(Int8), Array.Empty<LayerSensitivity>(), "every layer in int8 keeps the target (none is stored in 4 bits)");
        var (low, high, lowOutcome) = int4 is not null && _trace.Keeps(int8) ? (Int4, Int8, int4) : (Int8, Float, int8);
        var uniform = high == Int8
            ? "every layer in int4 breaks the target, every layer in int8 keeps it"
            : int4 is null ? "every layer in int8 breaks the target" : "every layer in int4 and every layer in int8 break the target";

        // Above int8 is the float model as pruning left it: when that breaks the target too, no precision helps.
        if (high == Float && !_trace.Keeps(UniformProbe(Float)))
        {
            return Finish(Uniform(Float), Array.Empty<LayerSensitivity>(),
                $"{uniform}, and so does every layer float: the pruning alone (Sparsity {_settings.Sparsity.ToString("0.###", CultureInfo.InvariantCulture)}) breaks it, so no layer is quantized");
        }

        // Only layers whose two levels differ can be given precision back.
        var movable = _layers.Where(l => Level(l, low) != Level(l, high)).ToArray();
        var bisection = (int)Math.Ceiling(Math.Log2(movable.Length + 1));
        var (ranking, sensitivity) = Sensitivity(movable, low, high, lowOutcome, measurable: _trace.Left - bisection);
        if (ranking.Count == 0)
        {
            return Finish(Uniform(high), sensitivity, sensitivity.Count == 0
                ? $"{uniform}; {_trace.BudgetSpent()} before ranking the layers, so every layer is {Name(high)}"
                : $"{uniform}; no layer measured alone in {Name(low)} lowers the key metric, so every layer is {Name(high)}");
        }

        // The fewest most sensitive layers at the higher level that keep the target: k = 0 is the uniform lower probe
        // (broken); all of them is assumed to keep it and probed if it is the answer.
        var failing = 0;
        var passing = ranking.Count;
        // Every movable layer raised is the uniform higher probe, which kept the target.
        var passingVerified = ranking.Count == movable.Length;
        while (passing - failing > 1 && _trace.Left > 0)
        {
            var k = (failing + passing) / 2;
            if (Probe(Raise(ranking, k, low, high), ranking.Take(k), high)) passing = k;
            else failing = k;
        }

        if (!passingVerified && passing == ranking.Count)
        {
            var all = Raise(ranking, passing, low, high);
            if (_trace.Left < 1 || !Probe(all, ranking, high))
            {
                // Raising every ranked layer was never shown to keep the target: fall back to the next level for all.
                var why = _trace.Left < 1 ? _trace.BudgetSpent() : $"even {ranking.Count} layer(s) in {Name(high)} break it";
                return high == Int8
                    ? Finish(Uniform(Int8), sensitivity, $"{uniform}; {why}, so every layer stays int8")
                    : Finish(Uniform(Float), sensitivity, $"{uniform}; {why}, so no layer is quantized");
            }
        }

        var reason = passing - failing <= 1
            ? $"{uniform}; the {passing} most sensitive layer(s) in {Name(high)} keep it, {failing} do(es) not"
            : $"{uniform}; {_trace.BudgetSpent()} with the {passing} most sensitive layer(s) in {Name(high)} keeping it";
        return Finish(Raise(ranking, passing, low, high), sensitivity, reason);
    }

    /// <summary>
    /// The layers in the order they are raised, most sensitive first, and the ranking as the report shows it. Only
    /// layers whose lowering hurt (or that the proxy ranks) are raised.
    /// </summary>
    private (IReadOnlyList<SearchLayer> Ranking, IReadOnlyList<LayerSensitivity> Report) Sensitivity(IReadOnlyList<SearchLayer> movable, int low, int high,
        ProbeOutcome lowOutcome, int measurable)
    {
        var errors = lowOutcome.QuantizationErrors;
        var proxyCovers = errors is not null && movable.All(l => errors.ContainsKey(l.Name));
        if (measurable < movable.Count && proxyCovers)
        {
            var proxy = movable
                .Select(l => (Layer: l, Sensitivity: new LayerSensitivity(l.Name, l.Parameters, _settings.Sparsity, null, null, Name(low), errors![l.Name])))
                .OrderByDescending(p => p.Sensitivity.QuantizationError)
                .ThenBy(p => p.Layer.Parameters)
                .ThenBy(p => p.Layer.Name, StringComparer.Ordinal)
                .ToArray();
            return (proxy.Select(p => p.Layer).ToArray(), proxy.Select(p => p.Sensitivity).ToArray());
        }

        // Measured on the real metric: all layers when the budget allows, else the smallest (the cheapest to raise).
        var chosen = movable
            .Select((layer, index) => (layer, index))
            .OrderBy(l => l.layer.Parameters)
            .ThenBy(l => l.index)
            .Take(Math.Max(0, measurable))
            .Select(l => l.layer)
            .ToArray();
        var measured = new List<(SearchLayer Layer, LayerSensitivity Sensitivity)>();
        foreach (var layer in chosen)
        {
            var levels = _layers.ToDictionary(l => l.Name, l => Level(l, l.Name == layer.Name ? low : high), StringComparer.Ordinal);
            var outcome = _trace.Run("sensitivity", Configure(levels), _settings.Sparsity, new[] { $"{layer.Name}={Name(low)}" });
            measured.Add((layer, new LayerSensitivity(layer.Name, layer.Parameters, _settings.Sparsity, outcome.Metric.Value, SearchTrace.Worsening(outcome), Name(low),
                outcome.QuantizationErrors is { } measuredErrors && measuredErrors.TryGetValue(layer.Name, out var error) ? error : null)));
        }

        var ranked = measured
            .OrderByDescending(m => m.Sensitivity.Worsening)
            .ThenBy(m => m.Layer.Parameters)
            .ThenBy(m => m.Layer.Name, StringComparer.Ordinal)
            .ToArray();
        return (ranked.Where(m => m.Sensitivity.Worsening > 0).Select(m => m.Layer).ToArray(), ranked.Select(m => m.Sensitivity).ToArray());
    }

    private ProbeOutcome UniformProbe(int bits) =>
        _trace.Run("uniform", Configure(Uniform(bits)), _settings.Sparsity, new[] { $"all={Name(bits)}" });

    private bool Probe(IReadOnlyDictionary<string, int> levels, IEnumerable<SearchLayer> raised, int high) =>
        _trace.Keeps(_trace.Run("refine", Configure(levels), _settings.Sparsity, raised.Select(l => $"{l.Name}={Name(high)}").OrderBy(n => n, StringComparer.Ordinal).ToArray()));

    /// <summary>Every layer at <paramref name="bits"/>, or as near as its format allows (int4 is int8 for a Gemm or Conv).</summary>
    private Dictionary<string, int> Uniform(int bits) => _layers.ToDictionary(l => l.Name, l => Level(l, bits), StringComparer.Ordinal);

    private static int Level(SearchLayer layer, int bits) => bits == Int4 ? layer.LowestBits : bits;

    private Dictionary<string, int> Raise(IReadOnlyList<SearchLayer> ranking, int count, int low, int high)
    {
        var levels = Uniform(low);
        foreach (var layer in ranking.Take(count)) levels[layer.Name] = Level(layer, high);
        return levels;
    }

    private PruneSettings Configure(IReadOnlyDictionary<string, int> levels) => _settings with { Quantization = _quantization.WithLayerBits(levels) };

    private SearchResult Finish(IReadOnlyDictionary<string, int> levels, IReadOnlyList<LayerSensitivity> sensitivity, string reason)
    {
        // Where nothing is quantized the build writes the model as pruning left it, without DequantizeLinear tables.
        var settings = levels.Values.All(b => b == Float) ? _settings with { Quantization = null } : Configure(levels);
        var point = new SearchPoint(_settings.Sparsity, levels.ToDictionary(l => l.Key, l => MixedPrecision.Levels.ToList().IndexOf(l.Value), StringComparer.Ordinal));
        // Named against each layer's most compressed level: what the search gave back.
        var restored = _layers.Where(l => levels[l.Name] != l.LowestBits).Select(l => $"{l.Name}={Name(levels[l.Name])}").OrderBy(n => n, StringComparer.Ordinal).ToArray();
        return new SearchResult(point, settings, _trace.Probes, sensitivity, reason, _trace.Original!, restored);
    }

    private static string Name(int bits) => MixedPrecision.LevelName(bits);
}
