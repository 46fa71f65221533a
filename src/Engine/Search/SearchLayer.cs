namespace ModelPrune.Engine.Search;

/// <summary>A layer the search may compress: its weight's name and how many parameters it holds.</summary>
/// <param name="LowestBits">Quantize="auto": the fewest bits its format stores, 4 for a MatMul weight MatMulNBits takes, 8 for the rest (DequantizeLinear is int8 at opset 13).</param>
internal sealed record SearchLayer(string Name, long Parameters, int LowestBits = 4);
