using System.Globalization;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Judges one output pair by its task: the generic deviation (relative L2, cosine, max abs) always, plus the
/// task's own metrics, all rounded to 6 significant digits like the rest of the report.
/// </summary>
internal static class TaskEvaluator
{
    public static OutputDeviation Evaluate(CapturedOutput original, CapturedOutput pruned, EvaluationTask requested, LabelArray? labels, CapturedOutput? mask, string file)
    {
        var deviation = DeviationMetrics.Compare(original, pruned);
        if (original.Strings is not null)
        {
            return deviation with { Task = EvaluationTaskNames.Regression, TaskReason = "the output holds strings, so only the share of changed elements applies" };
        }

        var shape = original.Shape;
        // Labels are per sample: they belong to this output only when it has one row per sample.
        var fittingLabels = labels is not null && shape.Length >= 1 && shape[0] == labels.Shape[0] ? labels : null;
        var isFloatingPoint = ElementTypeNames.IsFloatingPoint(original.Type);
        // Only the original model's rows decide: the pruned model's would make the choice depend on the pruning.
        var probabilities = isFloatingPoint && shape.Length == 3 && shape[2] <= int.MaxValue
            && TaskDetector.RowsAreProbabilities(original.Values, (int)shape[2]);
        var choice = TaskDetector.Choose(requested, shape, isFloatingPoint, fittingLabels is not null, probabilities);
        deviation = deviation with { Task = EvaluationTaskNames.ToName(choice.Task), TaskReason = choice.Reason };
        return choice.Task switch
        {
            EvaluationTask.Classification => Classification(deviation, original, pruned, fittingLabels, file, probabilities: false),
            EvaluationTask.TokenClassification => Classification(deviation, original, pruned, fittingLabels, file, probabilities),
            EvaluationTask.Embedding => Embedding(deviation, original, pruned, mask),
            EvaluationTask.LanguageModel => LanguageModel(deviation, original, pruned, fittingLabels!, file),
            _ => deviation with { Top1Agreement = null },
        };
    }

    /// <summary>
    /// Class scores per row: one row per item for classification, one per position for token classification
    /// (labels then [samples, positions], one per position, negative ones left out).
    /// </summary>
    private static OutputDeviation Classification(OutputDeviation deviation, CapturedOutput original, CapturedOutput pruned, LabelArray? labels, string file, bool probabilities)
    {
        var classes = checked((int)original.Shape[^1]);
        var rows = original.Values.Length / classes;
        var labelValues = labels is null ? ReadOnlySpan<long>.Empty : CheckLabels(labels, rows, classes, original.Name, file);
        var result = ClassificationMetrics.Compute(original.Values, pruned.Values, classes, labelValues, probabilities);
        return deviation with
        {
            Labels = labels?.Name,
            Top1Agreement = MetricRounding.Round6(result.Top1Agreement),
            Top5Agreement = MetricRounding.Round6(result.Top5Agreement),
            MeanKlDivergence = MetricRounding.Round6(result.MeanKlDivergence),
            AccuracyOriginal = Round(result.AccuracyOriginal),
            AccuracyPruned = Round(result.AccuracyPruned),
        };
    }

    private static OutputDeviation Embedding(OutputDeviation deviation, CapturedOutput original, CapturedOutput pruned, CapturedOutput? mask)
    {
        var shape = original.Shape;
        var items = checked((int)shape[0]);
        double[] before = original.Values, after = pruned.Values;
        int width;
        var pooling = "each item's vector";
        if (shape.Length == 3)
        {
            var sequence = checked((int)shape[1]);
            width = checked((int)shape[2]);
            var fittingMask = mask is not null && mask.Shape.Length == 2 && mask.Shape[0] == items && mask.Shape[1] == sequence ? mask : null;
            var maskValues = fittingMask is null ? ReadOnlySpan<double>.Empty : fittingMask.Values;
            before = MeanPooling.Pool(original.Values, items, sequence, width, maskValues);
            after = MeanPooling.Pool(pruned.Values, items, sequence, width, maskValues);
            pooling = fittingMask is null ? "mean over all positions" : $"mean over the positions where '{fittingMask.Name}' is non-zero";
        }
        else
        {
            width = items == 0 ? 1 : original.Values.Length / items;
        }

        var result = EmbeddingMetrics.Compute(before, after, Math.Max(1, width));
        return deviation with
        {
            TaskReason = $"{deviation.TaskReason}; items pooled: {pooling}",
            Top1Agreement = null,
            MeanItemCosine = MetricRounding.Round6(result.MeanCosine),
            P5ItemCosine = MetricRounding.Round6(result.Percentile5Cosine),
            NeighbourAgreement = Round(result.NeighbourAgreement),
        };
    }

    private static OutputDeviation LanguageModel(OutputDeviation deviation, CapturedOutput original, CapturedOutput pruned, LabelArray labels, string file)
    {
        var vocabulary = checked((int)original.Shape[^1]);
        var rows = original.Values.Length / vocabulary;
        var labelValues = CheckLabels(labels, rows, vocabulary, original.Name, file);
        var tokens = ClassificationMetrics.Compute(original.Values, pruned.Values, vocabulary);
        return deviation with
        {
            Labels = labels.Name,
            Top1Agreement = MetricRounding.Round6(tokens.Top1Agreement),
            MeanKlDivergence = MetricRounding.Round6(tokens.MeanKlDivergence),
            PerplexityOriginal = Round(PerplexityMetric.Compute(original.Values, vocabulary, labelValues)),
            PerplexityPruned = Round(PerplexityMetric.Compute(pruned.Values, vocabulary, labelValues)),
        };
    }

    private static long[] CheckLabels(LabelArray labels, int rows, int classes, string output, string file)
    {
        if (labels.Values.Length != rows)
        {
            throw EvaluationDataLoader.InvalidLabels(file, string.Create(CultureInfo.InvariantCulture,
                $"Labels '{labels.Name}' hold {labels.Values.Length} entries but output '{output}' has {rows} rows of scores; give one label per row ([samples] for [batch, classes], [samples, sequence] for [batch, sequence, vocabulary])."));
        }

        foreach (var label in labels.Values)
        {
            if (label >= classes)
            {
                throw EvaluationDataLoader.InvalidLabels(file, string.Create(CultureInfo.InvariantCulture,
                    $"Labels '{labels.Name}' hold {label}, but output '{output}' has only {classes} classes (0 to {classes - 1}); negative labels are ignored."));
            }
        }

        return labels.Values;
    }

    private static double? Round(double? value) => value is { } v ? MetricRounding.Round6(v) : null;
}
