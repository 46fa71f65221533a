using System.Globalization;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Decides per output which task's metrics apply. Auto reads only the output's shape and whether labels were
/// given, so the choice is the same on every run; a requested task applies where the shape allows it, and
/// an output it cannot fit falls back to the generic metrics with the reason said.
/// </summary>
internal static class TaskDetector
{
    /// <summary>Below this width a [batch, n] float output is read as class scores rather than an embedding.</summary>
    public const long MinEmbeddingWidth = 32;

    public static TaskChoice Choose(EvaluationTask requested, IReadOnlyList<long> shape, bool isFloatingPoint, bool hasLabels)
    {
        var shapeText = "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
        if (!isFloatingPoint)
        {
            return new TaskChoice(EvaluationTask.Regression, "the output is not floating-point, so only the generic deviation applies");
        }

        if (requested != EvaluationTask.Auto)
        {
            var name = EvaluationTaskNames.ToName(requested);
            return Fits(requested, shape, hasLabels) is { } misfit
                ? new TaskChoice(EvaluationTask.Regression, $"Task=\"{name}\" was requested, but {misfit}; generic deviation used")
                : new TaskChoice(requested, $"Task=\"{name}\" was requested");
        }

        switch (shape.Count)
        {
            case 3 when hasLabels && shape[2] > 1:
                return new TaskChoice(EvaluationTask.LanguageModel, $"auto: {shapeText} is [batch, sequence, vocabulary] with labels");
            case 3:
                return new TaskChoice(EvaluationTask.Embedding, $"auto: {shapeText} is [batch, sequence, hidden] without labels");
            case 2 when hasLabels && shape[1] > 1:
                return new TaskChoice(EvaluationTask.Classification, $"auto: {shapeText} is [batch, classes] with labels");
            case 2 when shape[1] >= MinEmbeddingWidth:
                return new TaskChoice(EvaluationTask.Embedding, $"auto: {shapeText} is [batch, hidden] without labels and {MinEmbeddingWidth} or more wide");
            case 2 when shape[1] > 1:
                return new TaskChoice(EvaluationTask.Classification, $"auto: {shapeText} is [batch, classes] with fewer than {MinEmbeddingWidth} classes");
            default:
                return new TaskChoice(EvaluationTask.Regression, $"auto: {shapeText} is neither class scores, an embedding nor token logits");
        }
    }

    /// <summary>Null when the shape suits the task, else why not.</summary>
    private static string? Fits(EvaluationTask task, IReadOnlyList<long> shape, bool hasLabels) => task switch
    {
        EvaluationTask.Classification when shape.Count is < 2 or > 3 || shape[^1] < 2 =>
            "the output is not [batch, classes] (or [batch, sequence, classes]) with two or more classes",
        EvaluationTask.Embedding when shape.Count < 2 => "the output has no item axis and feature axis",
        EvaluationTask.LanguageModel when shape.Count != 3 => "the output is not [batch, sequence, vocabulary]",
        EvaluationTask.LanguageModel when !hasLabels => "perplexity needs labels (the next token at each position) and the evaluation data has none for this output",
        _ => null,
    };
}
