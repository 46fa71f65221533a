using ModelPrune.Engine.Pipeline;

namespace ModelPrune.Engine.Search;

/// <summary>
/// A way of compressing that the search can turn: a global setting it bisects (<see cref="SearchPoint.Total"/>) and
/// per-layer levels, most compressed first, that the refinement raises one step at a time for the layers the key
/// metric is most sensitive to. Sparsity is the one such knob (levels: pruned, halved, dense). Quantization has no
/// global total to bisect, only per-layer levels (int4, int8, float), so <see cref="QuantizationSearch"/> turns them
/// itself; both share the probing and judging of <see cref="SearchTrace"/>.
/// </summary>
internal interface ISearchKnob
{
    /// <summary>As the report names it, e.g. "sparsity".</summary>
    string Name { get; }

    /// <summary>Per-layer levels, most compressed first; the last leaves the layer as it was.</summary>
    IReadOnlyList<string> Levels { get; }

    /// <summary>The highest <see cref="SearchPoint.Total"/> worth trying.</summary>
    double MaxTotal { get; }

    /// <summary>
    /// The settings of one probe, or null when the point cannot be reached (e.g. the layers left at level 0 cannot
    /// carry the total without going past their ceiling).
    /// </summary>
    PruneSettings? Configure(PruneSettings settings, SearchPoint point, IReadOnlyList<SearchLayer> layers);

    /// <summary>The point compressing only <paramref name="layer"/>, at <paramref name="total"/>'s per-layer strength: how sensitivity is measured.</summary>
    PruneSettings Isolate(PruneSettings settings, double total, string layer, IReadOnlyList<SearchLayer> layers);
}
