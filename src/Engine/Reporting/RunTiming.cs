namespace ModelPrune.Engine.Reporting;

public sealed record RunTiming(string Stage, double Milliseconds);
