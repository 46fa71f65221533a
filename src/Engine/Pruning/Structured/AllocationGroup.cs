namespace ModelPrune.Engine.Pruning.Structured;

/// <summary>One group as the allocation sees it: a score per unit (low goes first) and what each unit costs.</summary>
public sealed record AllocationGroup(double[] Scores, long ParametersPerUnit)
{
    public int Units => Scores.Length;
}
