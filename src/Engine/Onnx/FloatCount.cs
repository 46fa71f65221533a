namespace ModelPrune.Engine.Onnx;

/// <summary>Counts some of <paramref name="values"/> (zeros, non-finite values), one span of a tensor at a time.</summary>
internal delegate long FloatCount(ReadOnlySpan<float> values);
