namespace ModelPrune.Engine.Pipeline;

/// <summary>Work on one layer's weights W (a span, so it can point into the model's own bytes).</summary>
public delegate void WeightAction(Span<float> W);
