using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Where one batch of one original output is kept: its elements' bytes in memory (<paramref name="Bytes"/>, small
/// outputs), its strings (<paramref name="Strings"/>), or else <paramref name="Length"/> bytes at
/// <paramref name="Offset"/> of the store's file.
/// </summary>
internal sealed record StoredOutput(TensorElementType Type, long[] Shape, byte[]? Bytes, string[]? Strings, long Offset, long Length)
{
    public long Elements => Shape.Aggregate(1L, (product, d) => product * d);
}
