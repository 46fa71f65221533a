using ModelPrune.Engine.Baseline;

namespace ModelPrune.Engine.Search;

/// <summary>
/// What <c>Sparsity="auto"</c> or <c>Quantize="auto"</c> searches for: the most compressed model whose key metric
/// stays within <paramref name="MaxDrop"/> of the original's (the tolerance type the baseline gate applies, so the
/// two agree), in at most <paramref name="Budget"/> probes.
/// </summary>
internal sealed record SearchSettings(Tolerance MaxDrop, int Budget, SearchedSetting Setting = SearchedSetting.Sparsity)
{
    public const int DefaultBudget = 24;

    /// <summary>Fewer probes cannot bracket a sparsity and try one refinement.</summary>
    public const int MinBudget = 4;

    public string DropTypeName => MaxDrop.IsRelative ? "relative" : "absolute";

    /// <summary>As the report and messages name it: the setting given as "auto".</summary>
    public string SettingName => Setting == SearchedSetting.Quantize ? "Quantize" : "Sparsity";
}
