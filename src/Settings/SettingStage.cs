namespace ModelPrune.Settings;

/// <summary>Which engine command reads a setting, and so which stamp and which command line carry it.</summary>
internal enum SettingStage
{
    /// <summary>Read by <c>modelprune prune</c> / <c>batch</c>; part of the pruning stamp.</summary>
    Prune,

    /// <summary>Read by <c>modelprune baseline</c>; part of the baseline gate's own stamp, so editing it never re-prunes.</summary>
    Baseline,
}
