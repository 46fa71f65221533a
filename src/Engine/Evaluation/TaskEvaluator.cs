using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Judges one output pair, each given whole, by its task: <see cref="OutputEvaluation"/> with all samples in one
/// batch. The comparer feeds <see cref="OutputEvaluation"/> batch by batch instead.
/// </summary>
internal static class TaskEvaluator
{
    public static OutputDeviation Evaluate(CapturedOutput original, CapturedOutput pruned, EvaluationTask requested, LabelArray? labels, CapturedOutput? mask, string file)
    {
        var evaluation = OutputEvaluation.Begin(OriginalOutputSummary.Of(original), requested, labels, mask, file);
        evaluation.Add(original, pruned);
        return evaluation.Finish();
    }
}
