namespace ModelPrune.Engine.Statistics;

/// <summary>A weight whose input statistics cannot be collected, with a reason short enough for a report row.</summary>
internal sealed record SkippedLayer(string WeightName, string Reason);
