namespace ModelPrune.Engine.Pruning;

/// <summary>One layer's weights W as the methods see them: a flat array with a known input axis.</summary>
internal sealed record LayerWeights(string Name, float[] W, InputAxisLayout Layout);
