using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// One output tensor copied out of ORT as doubles (exact for every float and small integer type), so the
/// session can be disposed before the next model loads. Strings is set instead of Values for string tensors.
/// </summary>
internal sealed record CapturedOutput(string Name, TensorElementType Type, long[] Shape, double[] Values, string[]? Strings);
