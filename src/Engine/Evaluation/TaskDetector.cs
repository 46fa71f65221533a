using System.Globalization;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Decides per output which task's metrics apply. Auto reads the output's shape, whether labels were given and,
/// for [batch, positions, n] outputs, whether the original model's rows are probability distributions, so the
/// choice is the same on every run; a requested task applies where the shape allows it, and an output it cannot
/// fit falls back to the generic metrics with the reason said.
/// </summary>
internal static class TaskDetector
{
    /// <summary>Below this width a [batch, n] float output is read as class scores rather than an embedding.</summary>
    public const long MinEmbeddingWidth = 32;

    /// <summary>
    /// Above this width the last axis of a [batch, positions, n] output is a vocabulary or character set, not a
    /// hidden state: the widest hidden states of common models are 8192 (LLaMA-65B), vocabularies start around
    /// 30 000 (BERT 30 522, LLaMA 32 000, GPT-2 50 257).
    /// </summary>
    public const long MaxHiddenWidth = 8192;

    /// <summary>How far a row's sum may be from 1 and still count as a probability distribution (float32 softmax rounding).</summary>
    public const double ProbabilitySumTolerance = 1e-3;

    public static TaskChoice Choose(EvaluationTask requested, IReadOnlyList<long> shape, bool isFloatingPoint, bool hasLabels, bool rowsAreProbabilities = false)
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
            // A hidden state is never a distribution over its last axis; softmax outputs (CTC recognisers) are.
            case 3 when rowsAreProbabilities && shape[2] > 1:
                return new TaskChoice(EvaluationTask.TokenClassification,
                    $"auto: {shapeText} is [batch, positions, classes] whose rows are probabilities (non-negative, summing to 1)" + (hasLabels ? " with labels" : string.Empty));
            case 3 when hasLabels && shape[2] > 1:
                return new TaskChoice(EvaluationTask.LanguageModel, $"auto: {shapeText} is [batch, sequence, vocabulary] with labels");
            case 3 when shape[2] > MaxHiddenWidth:
                return new TaskChoice(EvaluationTask.TokenClassification, $"auto: {shapeText} is [batch, positions, classes] without labels and wider than {MaxHiddenWidth}, so not a hidden state");
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

    /// <summary>Whether every row of the last axis is non-negative and sums to 1 within <see cref="ProbabilitySumTolerance"/>.</summary>
    public static bool RowsAreProbabilities(ReadOnlySpan<double> values, int width)
    {
        var rows = new ProbabilityRowsAccumulator(width);
        rows.Add(values);
        return rows.Result;
    }

    /// <summary>Null when the shape suits the task, else why not.</summary>
    private static string? Fits(EvaluationTask task, IReadOnlyList<long> shape, bool hasLabels) => task switch
    {
        EvaluationTask.Classification when shape.Count is < 2 or > 3 || shape[^1] < 2 =>
            "the output is not [batch, classes] (or [batch, sequence, classes]) with two or more classes",
        EvaluationTask.TokenClassification when shape.Count != 3 || shape[^1] < 2 =>
            "the output is not [batch, positions, classes] with two or more classes",
        EvaluationTask.Embedding when shape.Count < 2 => "the output has no item axis and feature axis",
        EvaluationTask.LanguageModel when shape.Count != 3 => "the output is not [batch, sequence, vocabulary]",
        EvaluationTask.LanguageModel when !hasLabels => "perplexity needs labels (the next token at each position) and the evaluation data has none for this output",
        _ => null,
    };
}
