namespace ModelPrune.Engine.Baseline;

/// <summary>One way the new report fails its baseline: a coded, self-contained message.</summary>
public sealed record BaselineDifference(string Code, string Message);
