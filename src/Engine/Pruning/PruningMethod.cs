namespace ModelPrune.Engine.Pruning;

public enum PruningMethod
{
    /// <summary>Each layer loses the same fraction of its smallest-magnitude weights.</summary>
    Magnitude,

    /// <summary>One magnitude threshold over all selected layers, no layer pruned past MaxLayerSparsity.</summary>
    GlobalMagnitude,
}
