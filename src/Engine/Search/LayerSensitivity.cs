namespace ModelPrune.Engine.Search;

/// <summary>How far the key metric fell (<paramref name="Worsening"/>, its own units) with only this layer pruned at <paramref name="Sparsity"/>.</summary>
internal sealed record LayerSensitivity(string Layer, long Parameters, double Sparsity, double Metric, double Worsening);
