namespace ModelPrune.Engine.Onnx;

/// <summary>Where in a model a tensor is stored; counting and weight discovery care about the difference.</summary>
internal enum TensorSiteKind
{
    Initializer,
    ConstantValue,
    OtherAttribute,
    SparseInitializer,
}
