namespace ModelPrune.Engine.Pruning;

/// <summary>How the target sparsity is spread over layers for the calibrated methods.</summary>
internal enum LayerAllocation
{
    /// <summary>Every layer at the target.</summary>
    Uniform,

    /// <summary>Outlier-weighted (OWL): layers with more outlier scores keep more weights, within ±λ of the target.</summary>
    Owl,

    /// <summary>One threshold on Wanda's scores over all layers, each layer held between MinLayerSparsity and MaxLayerSparsity.</summary>
    Global,
}
