namespace ModelPrune.Engine.Search;

/// <summary>
/// How sensitive the key metric is to one layer. Sparsity="auto": how far it fell (<paramref name="Worsening"/>, its
/// own units) with only this layer pruned at <paramref name="Sparsity"/>. Quantize="auto": with only this layer at
/// <paramref name="Level"/> (the others one level more precise); or, where the budget cannot probe every layer, the
/// cheap proxy <paramref name="QuantizationError"/> (the layer's relative output error on calibration inputs at that
/// level) and no metric.
/// </summary>
internal sealed record LayerSensitivity(string Layer, long Parameters, double Sparsity, double? Metric, double? Worsening,
    string? Level = null, double? QuantizationError = null);
