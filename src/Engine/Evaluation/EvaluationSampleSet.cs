using System.Globalization;
using ModelPrune.Engine.Calibration;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Real samples to compare the models on, in batches the model accepts, with their labels (if any).
/// <see cref="Kind"/> names them in the report's <c>evaluation.inputKind</c>; <see cref="Data"/> is set when they
/// come from EvaluationData.
/// </summary>
internal sealed record EvaluationSampleSet(string Kind, IReadOnlyList<CalibrationBatch> Batches, EvaluationLabels Labels, EvaluationData? Data = null)
{
    public const string EvaluationDataKind = "evaluation data";

    /// <summary>Batches of this many samples when the model leaves the batch axis free.</summary>
    public const int DefaultBatchSize = 32;

    public int SampleCount => Batches.Sum(b => b.SampleCount);

    /// <summary>What the report's inputs say about their values, e.g. "evaluation data samples 1–256".</summary>
    public string ValuesText => string.Create(CultureInfo.InvariantCulture,
        $"{Kind} samples {Batches[0].FirstSample + 1}–{Batches[^1].FirstSample + Batches[^1].SampleCount}");

    public static EvaluationSampleSet From(EvaluationBatch batch) => new(batch.Kind, new[] { batch.Batch }, EvaluationLabels.None);

    /// <summary>
    /// Every sample in batches; with a fixed batch size a trailing partial batch cannot be fed and is dropped,
    /// as are its labels. Null when there are fewer samples than one fixed batch.
    /// </summary>
    public static EvaluationSampleSet? From(EvaluationData data, long? fixedBatchSize)
    {
        var batchSize = (int)(fixedBatchSize ?? DefaultBatchSize);
        var usable = fixedBatchSize is null ? data.Samples.SampleCount : data.Samples.SampleCount / batchSize * batchSize;
        if (usable == 0) return null;
        var batches = data.Samples.Take(usable).Batches(batchSize).ToArray();
        return new EvaluationSampleSet(EvaluationDataKind, batches, data.Labels.Take(usable), data);
    }
}
