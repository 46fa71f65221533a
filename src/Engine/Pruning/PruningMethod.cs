namespace ModelPrune.Engine.Pruning;

internal enum PruningMethod
{
    /// <summary>Each layer loses the same fraction of its smallest-magnitude weights.</summary>
    Magnitude,

    /// <summary>One magnitude threshold over all selected layers, no layer pruned past MaxLayerSparsity.</summary>
    GlobalMagnitude,

    /// <summary>|W|·‖X‖ per output row (Sun et al., 2023); needs calibration data.</summary>
    Wanda,

    /// <summary>Second-order pruning with weight updates (Frantar and Alistarh, 2023); needs calibration data.</summary>
    SparseGpt,

    /// <summary>Structured: units ranked by the L2 norm of all the weights they own (Li et al., 2017).</summary>
    MagnitudeL2,

    /// <summary>Structured: units ranked by their maximum absolute weight.</summary>
    Maw,

    /// <summary>
    /// Structured: FLAP (An et al., 2024), the fluctuation Var(X_j)·‖W_{:,j}‖² of each unit's input to the next layer,
    /// standardised per layer and ranked across layers, with bias compensation; needs calibration data.
    /// </summary>
    Flap,
}
