namespace ModelPrune.Engine.Pipeline;

/// <summary>Whether to use the cache and, when set, which folder (else <see cref="Caching.CacheLocation"/> decides).</summary>
internal sealed record CacheOptions(bool Enabled, string? Directory);
