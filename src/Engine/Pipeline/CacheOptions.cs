namespace ModelPrune.Engine.Pipeline;

/// <summary>Whether to use the cache and, when set, which folder (else <see cref="Caching.CacheLocation"/> decides).</summary>
public sealed record CacheOptions(bool Enabled, string? Directory);
