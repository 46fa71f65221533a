namespace ModelPrune.Engine.Reporting;

/// <summary>
/// One group of units structured pruning found: what kind, how many it had and kept, the weights that produce and
/// read them, and, when it was left alone, why. <c>Parameters</c> counts every element of the constants the group
/// cuts (weights, biases, normalisation parameters), each once.
/// </summary>
/// <param name="Status"><c>pruned</c>, <c>excluded</c> (by Structure or IncludeLayers/ExcludeLayers) or <c>skipped</c> (not provably safe).</param>
/// <param name="UnitWidth">Channels per unit: the head width for heads, else 1.</param>
/// <param name="BiasCompensated">FLAP folded the removed units' mean contribution into the consumers' biases.</param>
/// <param name="RemovedUnits">Indices of the removed units, ascending.</param>
internal sealed record UnitGroupReport(
    int Group,
    string Kind,
    string Status,
    string? Reason,
    long Units,
    long UnitsKept,
    int UnitWidth,
    long Parameters,
    long ParametersRemoved,
    IReadOnlyList<string> Producers,
    IReadOnlyList<string> Consumers,
    bool? BiasCompensated = null,
    IReadOnlyList<int>? RemovedUnits = null);
