namespace ModelPrune.Engine.Onnx;

/// <summary>A weight found so far; later consumers of the same storage add their node names.</summary>
internal sealed record WeightCandidate(ConstantStorage Storage, string OpType, List<string> NodeNames, int InputAxis);
