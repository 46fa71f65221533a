namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Where a prunable weight's activation input lives and how to view it as a [tokens, features] matrix:
/// the features are the tensor's last axis and every leading axis counts as tokens; a 2-D Gemm operand
/// stored [features, tokens] is transposed first, and a Conv input is unfolded into patches first.
/// </summary>
/// <param name="WeightName">The weight's name, as <see cref="ModelPrune.Engine.Onnx.PrunableWeight.Name"/> gives it.</param>
/// <param name="OpType">The consuming op (MatMul, Gemm or Conv).</param>
/// <param name="NodeName">The consumer whose activation input is measured.</param>
/// <param name="ActivationName">The graph value that the weight multiplies.</param>
/// <param name="Features">d: the width of one row of X, equal to the weight's input dimension (per group for a grouped Conv).</param>
/// <param name="ElementType">The activation's ONNX element type, which MatMul and Gemm force to be the weight's.</param>
/// <param name="Note">Something the report should mention, such as which consumer of a shared weight was measured.</param>
/// <param name="TransposeActivation">The activation is a 2-D Gemm operand stored [features, tokens] (transA=1, or a weight-first Gemm).</param>
/// <param name="Unfold">Set for a Conv: how its input becomes patches.</param>
internal sealed record LayerInput(
    string WeightName,
    string OpType,
    string NodeName,
    string ActivationName,
    int Features,
    int ElementType,
    string? Note,
    bool TransposeActivation = false,
    ConvUnfold? Unfold = null)
{
    /// <summary>Independent input groups, each with its own d features: a grouped Conv's groups, otherwise 1.</summary>
    public int Groups => Unfold?.Groups ?? 1;

    /// <summary>Layers whose activation is viewed the same way share one set of statistics nodes.</summary>
    public string ViewKey => $"{ActivationName}|{Features}|{ElementType}|{(TransposeActivation ? "T" : "N")}|{Unfold?.Signature}";
}
