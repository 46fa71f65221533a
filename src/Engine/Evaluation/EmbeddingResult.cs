namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Per-item cosine similarity of the pruned model's embeddings to the original's (mean and 5th percentile),
/// and the share of items whose nearest neighbour among the evaluation set is the same for both models
/// (null with fewer than two items, where no item has a neighbour). Unrounded.
/// </summary>
internal sealed record EmbeddingResult(int Items, double MeanCosine, double Percentile5Cosine, double? NeighbourAgreement);
