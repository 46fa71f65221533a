namespace ModelPrune.Engine.Caching;

/// <summary>A verified cache entry: the pruned model file and the deterministic report bytes.</summary>
internal sealed record CachedResult(string ModelPath, byte[] ReportJson);
