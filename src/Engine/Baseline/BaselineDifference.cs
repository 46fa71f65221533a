namespace ModelPrune.Engine.Baseline;

/// <summary>One way the new report fails its baseline: a coded, self-contained message.</summary>
internal sealed record BaselineDifference(string Code, string Message);
