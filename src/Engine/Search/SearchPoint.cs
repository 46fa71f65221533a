namespace ModelPrune.Engine.Search;

/// <summary>
/// One configuration a probe tries: the knob's global setting <paramref name="Total"/> (for sparsity: the share of
/// all searchable parameters set to zero) and, per layer, a level of the knob (<see cref="ISearchKnob.Levels"/>;
/// 0, the most compressed, for layers not listed).
/// </summary>
internal sealed record SearchPoint(double Total, IReadOnlyDictionary<string, int> Levels)
{
    public static SearchPoint Uniform(double total) => new(total, new Dictionary<string, int>(StringComparer.Ordinal));

    public int LevelOf(string layer) => Levels.TryGetValue(layer, out var level) ? level : 0;

}
