namespace ModelPrune.Engine.Reporting;

/// <summary>
/// How the pruned model's outputs deviate from the original's on the same inputs. <see cref="Task"/> is the
/// requested task setting (each output says which task it was judged as); <see cref="Data"/> describes the
/// EvaluationData file when the inputs came from one.
/// </summary>
internal sealed record EvaluationReport(
    string InputKind,
    int Seed,
    IReadOnlyList<EvaluationInput> Inputs,
    IReadOnlyList<OutputDeviation> Outputs,
    string? Task = null,
    EvaluationDataReport? Data = null);
