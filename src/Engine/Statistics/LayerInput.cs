namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Where a prunable weight's activation input lives and how to view it as a [tokens, features] matrix:
/// the features are the tensor's last axis and every leading axis counts as tokens.
/// </summary>
/// <param name="WeightName">The weight's name, as <see cref="ModelPrune.Engine.Onnx.PrunableWeight.Name"/> gives it.</param>
/// <param name="OpType">The consuming op (MatMul or Gemm).</param>
/// <param name="NodeName">The consumer whose activation input is measured.</param>
/// <param name="ActivationName">The graph value that the weight multiplies.</param>
/// <param name="Features">d: the width of the activation's last axis, equal to the weight's input dimension.</param>
/// <param name="ElementType">The activation's ONNX element type, which MatMul and Gemm force to be the weight's.</param>
/// <param name="Note">Something the report should mention, such as which consumer of a shared weight was measured.</param>
public sealed record LayerInput(
    string WeightName,
    string OpType,
    string NodeName,
    string ActivationName,
    int Features,
    int ElementType,
    string? Note);
