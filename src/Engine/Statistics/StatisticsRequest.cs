namespace ModelPrune.Engine.Statistics;

/// <summary>One layer to measure; <paramref name="Gram"/> adds XᵀX (SparseGPT) to Σx² (Wanda), at d² numbers per batch.</summary>
internal sealed record StatisticsRequest(LayerInput Layer, bool Gram);
