using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>One fed input: what the report says about it, and the tensor itself (reused for both models).</summary>
internal sealed record SyntheticInput(EvaluationInput Description, OrtValue Value);
