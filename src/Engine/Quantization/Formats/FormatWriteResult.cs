namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// What a format writer did with one weight: either it rewrote the model (<see cref="SkipReason"/> null) or it
/// left the model untouched and says why, so the report can list every layer that stayed float.
/// </summary>
/// <param name="WeightName">The weight's storage name (initializer or Constant output).</param>
/// <param name="Format">"MatMulNBits", "DequantizeLinear" or "DequantizeLinear+Gather".</param>
/// <param name="SkipReason">Null when written.</param>
/// <param name="Nodes">The nodes added or rewritten, by name.</param>
/// <param name="StoredBytes">The bytes the weight now takes in the model: codes, scales and zero points as written.</param>
internal sealed record FormatWriteResult(string WeightName, string Format, string? SkipReason, IReadOnlyList<string> Nodes, long StoredBytes = 0)
{
    public bool Written => SkipReason is null;

    public static FormatWriteResult Skipped(string weightName, string format, string reason) =>
        new(weightName, format, reason, Array.Empty<string>());
}
