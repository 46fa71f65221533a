namespace ModelPrune.Engine.Pipeline;

/// <summary>The request file the MSBuild task writes: every out-of-date model of one project.</summary>
public sealed record BatchRequest(CacheOptions Cache, IReadOnlyList<ModelJob> Jobs);
