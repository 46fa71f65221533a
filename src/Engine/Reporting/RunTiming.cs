namespace ModelPrune.Engine.Reporting;

internal sealed record RunTiming(string Stage, double Milliseconds);
