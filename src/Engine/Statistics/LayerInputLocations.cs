namespace ModelPrune.Engine.Statistics;

/// <summary>The weights whose activation inputs were found, and those that must be listed as skipped.</summary>
public sealed record LayerInputLocations(IReadOnlyList<LayerInput> Supported, IReadOnlyList<SkippedLayer> Skipped);
