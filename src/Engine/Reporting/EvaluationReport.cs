namespace ModelPrune.Engine.Reporting;

/// <summary>How the pruned model's outputs deviate from the original's on the same inputs.</summary>
public sealed record EvaluationReport(
    string InputKind,
    int Seed,
    IReadOnlyList<EvaluationInput> Inputs,
    IReadOnlyList<OutputDeviation> Outputs);
