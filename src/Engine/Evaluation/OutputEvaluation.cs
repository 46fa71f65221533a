using System.Globalization;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Judges one output pair by its task, batch by batch: the generic deviation (relative L2, cosine, max abs) always,
/// plus the task's own metrics, all rounded to 6 significant digits like the rest of the report. The task is chosen
/// before the first batch from the original's <see cref="OriginalOutputSummary"/>; each batch then only updates
/// sums and counts (and, for embeddings, one vector per item), so no model's output of every sample is held at once.
/// </summary>
internal sealed class OutputEvaluation
{
    private readonly DeviationAccumulator _deviation;
    private readonly TaskChoice? _choice;
    private readonly int _classes;
    private readonly LabelArray? _labels;
    private readonly ClassificationAccumulator? _classification;
    private readonly PerplexityAccumulator? _perplexityOriginal;
    private readonly PerplexityAccumulator? _perplexityPruned;
    private readonly EmbeddingAccumulator? _embedding;

    /// <summary>Rows of class scores (or logits) compared so far: where the next batch's labels start.</summary>
    private int _rows;

    private OutputEvaluation(OriginalOutputSummary original, EvaluationTask requested, LabelArray? labels, CapturedOutput? mask, string file)
    {
        _deviation = new DeviationAccumulator(original.Name, original.Type, original.Shape);
        if (original.Type == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String)
        {
            return;
        }

        var shape = original.Shape;
        // Labels are per sample: they belong to this output only when it has one row per sample.
        var fittingLabels = labels is not null && shape.Length >= 1 && shape[0] == labels.Shape[0] ? labels : null;
        var isFloatingPoint = ElementTypeNames.IsFloatingPoint(original.Type);
        // Only the original model's rows decide: the pruned model's would make the choice depend on the pruning.
        var probabilities = isFloatingPoint && shape.Length == 3 && shape[2] <= int.MaxValue && original.RowsAreProbabilities;
        _choice = TaskDetector.Choose(requested, shape, isFloatingPoint, fittingLabels is not null, probabilities);
        switch (_choice.Task)
        {
            case EvaluationTask.Classification:
            case EvaluationTask.TokenClassification:
                // Class scores per row: one row per item for classification, one per position for token classification
                // (labels then [samples, positions], one per position, negative ones left out).
                _classes = checked((int)shape[^1]);
                _labels = fittingLabels is null ? null : CheckLabels(fittingLabels, original, _classes, file);
                _classification = new ClassificationAccumulator(_classes, _choice.Task == EvaluationTask.TokenClassification && probabilities);
                break;
            case EvaluationTask.LanguageModel:
                _classes = checked((int)shape[^1]);
                _labels = CheckLabels(fittingLabels!, original, _classes, file);
                _classification = new ClassificationAccumulator(_classes, probabilities: false);
                _perplexityOriginal = new PerplexityAccumulator(_classes);
                _perplexityPruned = new PerplexityAccumulator(_classes);
                break;
            case EvaluationTask.Embedding:
                _embedding = new EmbeddingAccumulator(shape, original.Elements, mask);
                break;
        }
    }

    /// <summary>
    /// Chooses the output's task and checks its labels (<paramref name="labels"/> and <paramref name="mask"/> cover all
    /// batches, the samples in order) before any batch is compared.
    /// </summary>
    public static OutputEvaluation Begin(OriginalOutputSummary original, EvaluationTask requested, LabelArray? labels, CapturedOutput? mask, string file) =>
        new(original, requested, labels, mask, file);

    /// <summary>Adds the next batch of both models' values of this output.</summary>
    public void Add(CapturedOutput original, CapturedOutput pruned)
    {
        _deviation.Add(original, pruned);
        if (_classification is not null)
        {
            var rows = original.Values.Length / _classes;
            var labels = _labels is null ? ReadOnlySpan<long>.Empty : _labels.Values.AsSpan(_rows, rows);
            _classification.Add(original.Values, pruned.Values, _perplexityOriginal is null ? labels : default);
            _perplexityOriginal?.Add(original.Values, labels);
            _perplexityPruned?.Add(pruned.Values, labels);
            _rows += rows;
        }

        _embedding?.Add(original, pruned);
    }

    public OutputDeviation Finish()
    {
        var deviation = _deviation.Result();
        if (_choice is null)
        {
            return deviation with { Task = EvaluationTaskNames.Regression, TaskReason = "the output holds strings, so only the share of changed elements applies" };
        }

        deviation = deviation with { Task = EvaluationTaskNames.ToName(_choice.Task), TaskReason = _choice.Reason };
        switch (_choice.Task)
        {
            case EvaluationTask.Classification:
            case EvaluationTask.TokenClassification:
                var classes = _classification!.Result();
                return deviation with
                {
                    Labels = _labels?.Name,
                    Top1Agreement = MetricRounding.Round6(classes.Top1Agreement),
                    Top5Agreement = MetricRounding.Round6(classes.Top5Agreement),
                    MeanKlDivergence = MetricRounding.Round6(classes.MeanKlDivergence),
                    AccuracyOriginal = Round(classes.AccuracyOriginal),
                    AccuracyPruned = Round(classes.AccuracyPruned),
                };
            case EvaluationTask.LanguageModel:
                var tokens = _classification!.Result();
                return deviation with
                {
                    Labels = _labels!.Name,
                    Top1Agreement = MetricRounding.Round6(tokens.Top1Agreement),
                    MeanKlDivergence = MetricRounding.Round6(tokens.MeanKlDivergence),
                    PerplexityOriginal = Round(_perplexityOriginal!.Result()),
                    PerplexityPruned = Round(_perplexityPruned!.Result()),
                };
            case EvaluationTask.Embedding:
                var items = _embedding!.Result();
                return deviation with
                {
                    TaskReason = $"{deviation.TaskReason}; items pooled: {_embedding.Pooling}",
                    Top1Agreement = null,
                    MeanItemCosine = MetricRounding.Round6(items.MeanCosine),
                    P5ItemCosine = MetricRounding.Round6(items.Percentile5Cosine),
                    NeighbourAgreement = Round(items.NeighbourAgreement),
                };
            default:
                return deviation with { Top1Agreement = null };
        }
    }

    /// <summary>One label per row of scores, each a class of the output (negative ones are ignored).</summary>
    private static LabelArray CheckLabels(LabelArray labels, OriginalOutputSummary original, int classes, string file)
    {
        var rows = original.Elements / classes;
        if (labels.Values.Length != rows)
        {
            throw EvaluationDataLoader.InvalidLabels(file, string.Create(CultureInfo.InvariantCulture,
                $"Labels '{labels.Name}' hold {labels.Values.Length} entries but output '{original.Name}' has {rows} rows of scores; give one label per row ([samples] for [batch, classes], [samples, sequence] for [batch, sequence, vocabulary])."));
        }

        foreach (var label in labels.Values)
        {
            if (label >= classes)
            {
                throw EvaluationDataLoader.InvalidLabels(file, string.Create(CultureInfo.InvariantCulture,
                    $"Labels '{labels.Name}' hold {label}, but output '{original.Name}' has only {classes} classes (0 to {classes - 1}); negative labels are ignored."));
            }
        }

        return labels;
    }

    private static double? Round(double? value) => value is { } v ? MetricRounding.Round6(v) : null;
}
