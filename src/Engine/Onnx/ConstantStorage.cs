using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>Where a value name's constant data lives once Identity chains and scopes are followed.</summary>
internal sealed record ConstantStorage(TensorProto Tensor, string Name, string Location);
