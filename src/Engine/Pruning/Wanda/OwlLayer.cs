namespace ModelPrune.Engine.Pruning.Wanda;

/// <summary>
/// What OWL needs to know of one layer: how many weights it has (its share of the total sparsity) and its
/// outlier ratio D (<see cref="OwlAllocator.OutlierRatio"/>).
/// </summary>
internal sealed record OwlLayer(long Parameters, double OutlierRatio);
