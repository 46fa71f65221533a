using System.Globalization;
using ModelPrune.Engine.Pipeline;

namespace ModelPrune.Engine.Search;

/// <summary>
/// Sparsity as a search knob. A point's total is the share of the searchable layers' parameters set to zero. Levels:
/// <c>pruned</c> (the layers left here carry whatever the others do not), <c>halved</c> (half the total) and
/// <c>dense</c>; what a raised layer no longer carries goes to the pruned ones, so the model-wide sparsity is still
/// the total. No layer goes past <see cref="MaxTotal"/> (MaxLayerSparsity, at most 0.95).
/// </summary>
internal sealed class SparsityKnob : ISearchKnob
{
    /// <summary>Past this even tolerant layers collapse; MaxLayerSparsity's own default.</summary>
    public const double DefaultCeiling = 0.95;

    private static readonly string[] LevelNames = { "pruned", "halved", "dense" };

    public SparsityKnob(double maxLayerSparsity)
    {
        MaxTotal = Math.Min(maxLayerSparsity, DefaultCeiling);
    }

    public string Name => "sparsity";

    public IReadOnlyList<string> Levels => LevelNames;

    public double MaxTotal { get; }

    public PruneSettings? Configure(PruneSettings settings, SearchPoint point, IReadOnlyList<SearchLayer> layers)
    {
        var all = layers.Sum(l => l.Parameters);
        var rest = layers.Where(l => point.LevelOf(l.Name) == 0).Sum(l => l.Parameters);
        if (rest == 0) return null;
        var halved = point.Total / 2;
        var carriedByRaised = layers.Where(l => point.LevelOf(l.Name) == 1).Sum(l => l.Parameters) * halved;
        var share = ((point.Total * all) - carriedByRaised) / rest;
        // A hair of tolerance: the share of an exactly reachable point can land a bit above in binary.
        if (share > MaxTotal + 1e-12) return null;
        share = Math.Min(share, MaxTotal);
        var perLayer = layers.ToDictionary(l => l.Name, l => point.LevelOf(l.Name) switch { 0 => share, 1 => halved, _ => 0.0 }, StringComparer.Ordinal);
        return settings with
        {
            Sparsity = point.Total,
            LayerSparsities = point.Levels.Count == 0 ? null : perLayer,
            MaxLayerSparsity = Math.Max(settings.MaxLayerSparsity, share),
        };
    }

    public PruneSettings Isolate(PruneSettings settings, double total, string layer, IReadOnlyList<SearchLayer> layers) =>
        settings with
        {
            Sparsity = total,
            LayerSparsities = layers.ToDictionary(l => l.Name, l => l.Name == layer ? total : 0, StringComparer.Ordinal),
        };

    public static string Describe(double total) => total.ToString("0.###", CultureInfo.InvariantCulture);
}
