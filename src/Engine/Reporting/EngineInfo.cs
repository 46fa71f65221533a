namespace ModelPrune.Engine.Reporting;

public sealed record EngineInfo(string Name, string Version);
