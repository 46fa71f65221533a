namespace ModelPrune.Engine.Statistics;

/// <summary>
/// The statistics of one block of layers (<see cref="LayerStatisticsCollector.CollectInBlocks"/>): on the calibration
/// samples the methods fit, and on the held-out ones (null when none are held out). The first block also lists the
/// layers no block could measure.
/// </summary>
internal sealed record StatisticsBlock(LayerStatisticsResult Fit, LayerStatisticsResult? HeldOut);
