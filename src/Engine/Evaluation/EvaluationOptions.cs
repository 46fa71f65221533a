namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// How synthetic inputs are made. DimensionOverrides maps a symbolic dimension name (<c>batch</c>) or an
/// <c>input:axis</c> pair (<c>input_ids:1</c>) to the size to use; see <see cref="DimensionOverrideParser"/>.
/// </summary>
public sealed record EvaluationOptions(int Seed, IReadOnlyDictionary<string, long> DimensionOverrides);
