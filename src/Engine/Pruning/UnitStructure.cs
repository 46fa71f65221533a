namespace ModelPrune.Engine.Pruning;

/// <summary>Which whole units structured pruning removes (<c>Structure="..."</c>); <see cref="None"/> prunes single weights.</summary>
internal enum UnitStructure
{
    /// <summary>Unstructured or N:M: weights are zeroed, the graph keeps its shapes.</summary>
    None,

    /// <summary>Every kind of unit the graph analysis can prove safe to remove.</summary>
    Auto,

    /// <summary>Hidden units of an MLP: columns of one MatMul/Gemm and rows of the next, through bias, activation and gate.</summary>
    Neurons,

    /// <summary>Attention heads: Q/K/V columns, output-projection rows and the head count in the Reshape shapes.</summary>
    Heads,

    /// <summary>Conv output channels, with BatchNormalization, depthwise Convs and every consumer's input channels.</summary>
    Filters,
}
