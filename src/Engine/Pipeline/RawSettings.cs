namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Settings exactly as the user wrote them (item metadata or command-line options); empty means default.
/// Validation happens once, in <see cref="PruneSettingsParser"/>, so MSBuild and the CLI give the same errors.
/// </summary>
public sealed record RawSettings(
    string? Sparsity = null,
    string? Method = null,
    string? Pattern = null,
    string? MaxLayerSparsity = null,
    string? Include = null,
    string? Exclude = null,
    string? Seed = null,
    string? Dimensions = null,
    string? CalibrationData = null,
    string? CalibrationSamples = null,
    string? Allocation = null,
    string? MinLayerSparsity = null,
    string? CalibrationMode = null,
    string? Device = null,
    string? EvaluationData = null,
    string? EvaluationSamples = null,
    string? Task = null,
    string? SweepSparsities = null,
    string? Structure = null,
    string? MinUnitsPerLayer = null,
    string? UnitMultiple = null);
