namespace ModelPrune.Engine.Evaluation;

/// <summary>The task an output is judged as, and why, in words the report prints as they are.</summary>
internal sealed record TaskChoice(EvaluationTask Task, string Reason);
