namespace ModelPrune.Engine.Pipeline;

/// <summary>Work on the weights W of the <paramref name="layer"/>-th selected layer.</summary>
internal delegate void LayerAction(int layer, Span<float> W);
