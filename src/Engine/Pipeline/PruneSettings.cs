using System.Globalization;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Search;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Validated, normalised settings; <see cref="CanonicalText"/> feeds the cache key, one line per setting that
/// SettingTable marks as joining it, under its camelCase name. The requested
/// <see cref="Device"/> is left out of it on purpose: the key holds the device that actually ran (see
/// ModelPipeline), so Device="auto" and "cpu" share cache entries on a machine without CUDA.
/// </summary>
internal sealed record PruneSettings(
    PruningMethod Method,
    double Sparsity,
    SparsityPattern Pattern,
    double MaxLayerSparsity,
    IReadOnlyList<string> Include,
    IReadOnlyList<string> Exclude,
    int Seed,
    IReadOnlyDictionary<string, long> Dimensions,
    string? CalibrationData = null,
    int CalibrationSamples = PruneSettings.DefaultCalibrationSamples,
    LayerAllocation Allocation = LayerAllocation.Uniform,
    double MinLayerSparsity = 0,
    CalibrationMode CalibrationMode = CalibrationMode.OnePass,
    RequestedDevice Device = RequestedDevice.Auto,
    string? EvaluationData = null,
    int EvaluationSamples = PruneSettings.DefaultEvaluationSamples,
    EvaluationTask Task = EvaluationTask.Auto,
    IReadOnlyList<double>? SweepSparsities = null,
    UnitStructure Structure = UnitStructure.None,
    int MinUnitsPerLayer = PruneSettings.DefaultMinUnitsPerLayer,
    int UnitMultiple = 1,
    bool? MeasureLatency = null,
    QuantizationSettings? Quantization = null,
    SearchSettings? Search = null,
    IReadOnlyDictionary<string, double>? LayerSparsities = null,
    ExternalDataMode ExternalData = ExternalDataMode.Auto)
{
    /// <summary>
    /// The sparsity of one weight: its own where the search set one (<see cref="LayerSparsities"/>, by weight name),
    /// else <see cref="Sparsity"/>.
    /// </summary>
    public double SparsityOf(string weightName) =>
        LayerSparsities is not null && LayerSparsities.TryGetValue(weightName, out var own) ? own : Sparsity;

    /// <summary>Whether the search keeps this weight dense on purpose (sparsity 0 among layers it otherwise prunes).</summary>
    public bool IsRestored(string weightName) =>
        LayerSparsities is not null && LayerSparsities.TryGetValue(weightName, out var own) && own == 0;

    /// <summary>Structured pruning never removes a layer's last unit unless told otherwise.</summary>
    public const int DefaultMinUnitsPerLayer = 1;

    public bool IsStructured => Structure != UnitStructure.None;

    /// <summary>
    /// Whether both models are timed: as asked, or (MeasureLatency="auto", null) when the run changes what ONNX Runtime
    /// computes. Unstructured and N:M zeros do not: it has no sparse kernels, so the same dense work is timed twice.
    /// </summary>
    public bool TimesLatency => MeasureLatency ?? (IsStructured || Quantization is not null);

    /// <summary>Null for unstructured runs, so their reports do not change shape.</summary>
    public string? StructureName => IsStructured ? UnitStructureNames.ToName(Structure) : null;

    public const int DefaultEvaluationSamples = EvaluationDataLoader.DefaultMaxSamples;

    public const double DefaultSparsity = 0.5;
    public const int DefaultCalibrationSamples = 128;
    public const double DefaultMaxLayerSparsity = 0.95;
    public const int DefaultSeed = 42;

    public string MethodName => PruningMethodNames.ToName(Method);

    /// <summary>Dimension overrides as sorted <c>name=value</c> strings, stable for reports and keys.</summary>
    public IReadOnlyList<string> DimensionList =>
        Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Key}={d.Value}"))
            .ToArray();

    public string CanonicalText => string.Join("\n",
        "method=" + MethodName,
        "sparsity=" + (Search is { Setting: SearchedSetting.Sparsity } ? "auto" : Sparsity.ToString("R", CultureInfo.InvariantCulture)),
        "pattern=" + Pattern,
        "maxLayerSparsity=" + MaxLayerSparsity.ToString("R", CultureInfo.InvariantCulture),
        "includeLayers=" + string.Join(";", Include),
        "excludeLayers=" + string.Join(";", Exclude),
        "seed=" + Seed.ToString(CultureInfo.InvariantCulture),
        "dimensions=" + string.Join(";", DimensionList),
        // Only methods that read calibration data carry it (the parser clears it for the others).
        "calibrationData=" + (CalibrationData ?? string.Empty),
        "calibrationSamples=" + (CalibrationData is null ? string.Empty : CalibrationSamples.ToString(CultureInfo.InvariantCulture)),
        "allocation=" + AllocationName,
        "minLayerSparsity=" + (MinLayerSparsityForReport?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty),
        "calibrationMode=" + (CalibrationModeName ?? string.Empty),
        // The evaluation file's content joins the key beside these (see ModelPipeline), as calibration data does.
        "evaluationData=" + (EvaluationData ?? string.Empty),
        "evaluationSamples=" + (EvaluationData is null ? string.Empty : EvaluationSamples.ToString(CultureInfo.InvariantCulture)),
        "task=" + TaskName,
        "sweepSparsities=" + string.Join(";", SweepSparsities.Select(s => s.ToString("R", CultureInfo.InvariantCulture))),
        "quantize=" + (Quantization?.Name ?? string.Empty),
        "quantGroupSize=" + (Quantization?.GroupSize.ToString(CultureInfo.InvariantCulture) ?? string.Empty),
        "quantSymmetric=" + (Quantization?.SymmetricText ?? string.Empty),
        "quantMethod=" + (Quantization?.MethodName ?? string.Empty),
        "quantizeEmbeddings=" + (Quantization?.Embeddings.ToString() ?? string.Empty),
        "quantizeActivations=" + (Quantization?.ActivationsName ?? string.Empty))
        // Appended only for structured runs, so the keys of earlier unstructured settings stay as they were.
        + (IsStructured
            ? string.Create(CultureInfo.InvariantCulture, $"\nstructure={StructureName}\nminUnitsPerLayer={MinUnitsPerLayer}\nunitMultiple={UnitMultiple}")
            : string.Empty)
        // Only a search reads its target and budget; fixed-sparsity keys stay as they were. The per-layer sparsities a
        // search chooses never enter the key: they follow from it.
        + (Search is { } search
            ? string.Create(CultureInfo.InvariantCulture, $"\nmaxMetricDrop={search.MaxDrop.Amount:R}\ndropType={search.DropTypeName}\nsearchBudget={search.Budget}")
            : string.Empty)
        // Only "always" joins the key: "auto" and "never" write the same single file for every model that can be written
        // (past 2 GiB "never" is an error, never cached), while "always" writes another pair of files.
        + (ExternalData == ExternalDataMode.Always ? "\nexternalData=" + ExternalDataModeNames.ToName(ExternalData) : string.Empty);

    /// <summary>The extra sparsities of the metric-versus-sparsity curve, ascending; empty for none.</summary>
    public IReadOnlyList<double> SweepSparsities { get; init; } = SweepSparsities ?? Array.Empty<double>();

    public string TaskName => EvaluationTaskNames.ToName(Task);

    /// <summary>Null for the default (one pass), so reports of one-pass runs do not change shape.</summary>
    public string? CalibrationModeName => CalibrationMode == CalibrationMode.Sequential ? "sequential" : null;

    /// <summary>The floor only global allocation reads; null otherwise, so other reports do not change shape.</summary>
    public double? MinLayerSparsityForReport => Allocation == LayerAllocation.Global && !IsStructured ? MinLayerSparsity : null;

    /// <summary>Null for the default (uniform), so reports of uniform runs do not change shape.</summary>
    public string? AllocationName => Allocation == LayerAllocation.Uniform ? null : Allocation.ToString().ToLowerInvariant();
}
