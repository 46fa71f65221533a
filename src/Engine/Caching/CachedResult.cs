namespace ModelPrune.Engine.Caching;

/// <summary>
/// A verified cache entry: the pruned model file, the deterministic report bytes and, for a model written with external
/// data, its data file and the file name the model refers to it by.
/// </summary>
internal sealed record CachedResult(string ModelPath, byte[] ReportJson, string? DataPath = null, string? DataFileName = null);
