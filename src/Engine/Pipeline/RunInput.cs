namespace ModelPrune.Engine.Pipeline;

/// <summary>A file a run reads, and how a message names it ("the calibration data").</summary>
internal sealed record RunInput(string Role, string Path);
