namespace ModelPrune.Engine.Statistics;

/// <summary>The weights whose activation inputs were found, and those that must be listed as skipped.</summary>
internal sealed record LayerInputLocations(IReadOnlyList<LayerInput> Supported, IReadOnlyList<SkippedLayer> Skipped);
