namespace ModelPrune.Engine.Reporting;

/// <summary>
/// An embedding table read by Gather: int8 per row behind DequantizeLinear (BitsPerWeight: codes and row scales as
/// stored, per entry), or left float with the reason.
/// </summary>
internal sealed record EmbeddingQuantization(string Name, IReadOnlyList<long> Shape, string Format, string? Reason = null, double? BitsPerWeight = null);
