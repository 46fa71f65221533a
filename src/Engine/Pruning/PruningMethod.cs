namespace ModelPrune.Engine.Pruning;

public enum PruningMethod
{
    /// <summary>Each layer loses the same fraction of its smallest-magnitude weights.</summary>
    Magnitude,

    /// <summary>One magnitude threshold over all selected layers, no layer pruned past MaxLayerSparsity.</summary>
    GlobalMagnitude,

    /// <summary>|W|·‖X‖ per output row (Sun et al., 2023); needs calibration data.</summary>
    Wanda,

    /// <summary>Second-order pruning with weight updates (Frantar and Alistarh, 2023); needs calibration data.</summary>
    SparseGpt,
}
