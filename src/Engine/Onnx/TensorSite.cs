using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>One tensor found in a model, with a name fit for an error message.</summary>
internal readonly record struct TensorSite(TensorProto Tensor, TensorSiteKind Kind, string DisplayName);
