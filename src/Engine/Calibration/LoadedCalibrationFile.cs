namespace ModelPrune.Engine.Calibration;

/// <summary>One calibration file's validated arrays and how many of its leading samples the set uses.</summary>
internal sealed record LoadedCalibrationFile(string Display, IReadOnlyDictionary<string, NpyArray> Arrays, int UsedSamples);
