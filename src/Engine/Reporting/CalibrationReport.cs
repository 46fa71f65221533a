namespace ModelPrune.Engine.Reporting;

/// <summary>The calibration set a calibrated method used: its source as given, content hash and size.</summary>
public sealed record CalibrationReport(string Source, string Sha256, int Samples, bool Synthetic);
