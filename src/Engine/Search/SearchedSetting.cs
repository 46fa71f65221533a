namespace ModelPrune.Engine.Search;

/// <summary>Which setting was given as "auto": the one the search chooses. One at a time.</summary>
internal enum SearchedSetting
{
    /// <summary>Sparsity="auto": how much to prune, per layer.</summary>
    Sparsity,

    /// <summary>Quantize="auto": int4, int8 or float, per layer.</summary>
    Quantize,
}
