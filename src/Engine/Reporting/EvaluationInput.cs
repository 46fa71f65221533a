namespace ModelPrune.Engine.Reporting;

/// <summary>One model input as fed during evaluation: concrete shape after symbolic dimensions were resolved.</summary>
internal sealed record EvaluationInput(string Name, string ElementType, IReadOnlyList<long> Shape, string Values);
