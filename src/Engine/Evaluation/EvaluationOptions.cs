using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// How synthetic inputs are made. DimensionOverrides maps a symbolic dimension name (<c>batch</c>) or an
/// <c>input:axis</c> pair (<c>input_ids:1</c>) to the size to use; see <see cref="DimensionOverrideParser"/>.
/// GatherBounds (input name → exclusive bound of its ids) may be given by a caller that already holds the
/// parsed model; when null the comparer reads them from the original model file. Given <paramref name="Samples"/>,
/// the models are compared on those real samples instead, and the synthetic settings are unused. Device null is
/// the CPU. <paramref name="Task"/> decides which metrics each output gets; <paramref name="MeasureLatency"/> times
/// both models on the first batch, once <paramref name="QuietBeforeTiming"/> (background work of the caller) is done.
/// With real <paramref name="Samples"/>, <paramref name="OriginalOutputs"/> keeps the original's outputs for the next
/// comparison against it. <paramref name="TemporaryFolder"/> is where the original's outputs are spilled while the
/// pruned model runs (null: the system's temporary folder).
/// </summary>
internal sealed record EvaluationOptions(
    int Seed,
    IReadOnlyDictionary<string, long> DimensionOverrides,
    IReadOnlyDictionary<string, long>? GatherBounds = null,
    ExecutionDevice? Device = null,
    EvaluationSampleSet? Samples = null,
    EvaluationTask Task = EvaluationTask.Auto,
    bool MeasureLatency = false,
    Task? QuietBeforeTiming = null,
    OriginalOutputMemo? OriginalOutputs = null,
    string? TemporaryFolder = null);
