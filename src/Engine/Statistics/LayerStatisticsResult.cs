namespace ModelPrune.Engine.Statistics;

/// <summary>The statistics of every layer that could be measured, and the layers that could not, each with its reason.</summary>
/// <param name="Notes">Weight name → remark for the report (e.g. which consumer of a shared weight was measured).</param>
/// <param name="Device">The <see cref="Common.ExecutionDevice.Name"/> that computed them.</param>
/// <param name="Batches">How many calibration batches were run.</param>
internal sealed record LayerStatisticsResult(
    IReadOnlyList<LayerStatistics> Layers,
    IReadOnlyList<SkippedLayer> Skipped,
    IReadOnlyDictionary<string, string> Notes,
    string Device,
    int Batches);
