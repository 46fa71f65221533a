using ModelPrune.Settings;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Settings exactly as the user wrote them (item metadata or command-line options), keyed by their row in
/// <see cref="SettingTable"/>; empty means default. Validation happens once, in <see cref="PruneSettingsParser"/>,
/// so MSBuild and the CLI give the same errors. The named properties are for the code that reads one setting;
/// the request reader and the command line fill every setting from the table.
/// </summary>
internal sealed class RawSettings
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public RawSettings()
    {
    }

    /// <summary>Every setting of the prune stage, read through <paramref name="valueOf"/> (null or blank: default).</summary>
    internal static RawSettings From(Func<SettingDefinition, string?> valueOf)
    {
        var settings = new RawSettings();
        foreach (var setting in SettingTable.All.Where(s => s.IsReadBy(SettingStage.Prune)))
        {
            settings.Set(setting, valueOf(setting));
        }

        return settings;
    }

    internal string? this[SettingDefinition setting] => _values.TryGetValue(setting.Name, out var value) ? value : null;

    public string? Sparsity { get => this[SettingTable.Sparsity]; init => Set(SettingTable.Sparsity, value); }

    public string? Method { get => this[SettingTable.Method]; init => Set(SettingTable.Method, value); }

    public string? Pattern { get => this[SettingTable.Pattern]; init => Set(SettingTable.Pattern, value); }

    public string? Structure { get => this[SettingTable.Structure]; init => Set(SettingTable.Structure, value); }

    public string? MinUnitsPerLayer { get => this[SettingTable.MinUnitsPerLayer]; init => Set(SettingTable.MinUnitsPerLayer, value); }

    public string? UnitMultiple { get => this[SettingTable.UnitMultiple]; init => Set(SettingTable.UnitMultiple, value); }

    public string? MaxLayerSparsity { get => this[SettingTable.MaxLayerSparsity]; init => Set(SettingTable.MaxLayerSparsity, value); }

    public string? MinLayerSparsity { get => this[SettingTable.MinLayerSparsity]; init => Set(SettingTable.MinLayerSparsity, value); }

    public string? CalibrationMode { get => this[SettingTable.CalibrationMode]; init => Set(SettingTable.CalibrationMode, value); }

    public string? IncludeLayers { get => this[SettingTable.IncludeLayers]; init => Set(SettingTable.IncludeLayers, value); }

    public string? ExcludeLayers { get => this[SettingTable.ExcludeLayers]; init => Set(SettingTable.ExcludeLayers, value); }

    public string? CalibrationData { get => this[SettingTable.CalibrationData]; init => Set(SettingTable.CalibrationData, value); }

    public string? CalibrationSamples { get => this[SettingTable.CalibrationSamples]; init => Set(SettingTable.CalibrationSamples, value); }

    public string? Allocation { get => this[SettingTable.Allocation]; init => Set(SettingTable.Allocation, value); }

    public string? EvaluationData { get => this[SettingTable.EvaluationData]; init => Set(SettingTable.EvaluationData, value); }

    public string? EvaluationSamples { get => this[SettingTable.EvaluationSamples]; init => Set(SettingTable.EvaluationSamples, value); }

    public string? SweepSparsities { get => this[SettingTable.SweepSparsities]; init => Set(SettingTable.SweepSparsities, value); }

    public string? SearchBudget { get => this[SettingTable.SearchBudget]; init => Set(SettingTable.SearchBudget, value); }

    public string? MaxMetricDrop { get => this[SettingTable.MaxMetricDrop]; init => Set(SettingTable.MaxMetricDrop, value); }

    public string? DropType { get => this[SettingTable.DropType]; init => Set(SettingTable.DropType, value); }

    public string? Task { get => this[SettingTable.Task]; init => Set(SettingTable.Task, value); }

    public string? Seed { get => this[SettingTable.Seed]; init => Set(SettingTable.Seed, value); }

    public string? Dimensions { get => this[SettingTable.Dimensions]; init => Set(SettingTable.Dimensions, value); }

    public string? Device { get => this[SettingTable.Device]; init => Set(SettingTable.Device, value); }

    public string? MeasureLatency { get => this[SettingTable.MeasureLatency]; init => Set(SettingTable.MeasureLatency, value); }

    public string? Quantize { get => this[SettingTable.Quantize]; init => Set(SettingTable.Quantize, value); }

    public string? QuantGroupSize { get => this[SettingTable.QuantGroupSize]; init => Set(SettingTable.QuantGroupSize, value); }

    public string? QuantSymmetric { get => this[SettingTable.QuantSymmetric]; init => Set(SettingTable.QuantSymmetric, value); }

    public string? QuantMethod { get => this[SettingTable.QuantMethod]; init => Set(SettingTable.QuantMethod, value); }

    public string? QuantizeEmbeddings { get => this[SettingTable.QuantizeEmbeddings]; init => Set(SettingTable.QuantizeEmbeddings, value); }

    public string? QuantizeActivations { get => this[SettingTable.QuantizeActivations]; init => Set(SettingTable.QuantizeActivations, value); }

    public string? ExternalData { get => this[SettingTable.ExternalData]; init => Set(SettingTable.ExternalData, value); }

    private void Set(SettingDefinition setting, string? value)
    {
        if (!setting.IsReadBy(SettingStage.Prune))
        {
            throw new ArgumentException($"{setting.Name} is a {setting.Stage} setting, not one of pruning.", nameof(setting));
        }

        _values[setting.Name] = string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
