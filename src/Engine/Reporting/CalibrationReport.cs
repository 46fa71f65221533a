namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The calibration set a calibrated method used: its source as given, content hash, how many samples it
/// fitted the statistics on and how many it held out to measure the layers' error on unseen data.
/// </summary>
/// <param name="Mode">"sequential", or null for the default one-pass mode.</param>
/// <param name="PaddingMask">The input whose padded positions were left out of the statistics, or null when none was.</param>
internal sealed record CalibrationReport(string Source, string Sha256, int Samples, bool Synthetic, int HeldOutSamples = 0, string? Mode = null, string? PaddingMask = null);
