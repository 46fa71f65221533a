namespace ModelPrune.Engine.Reporting;

internal sealed record EngineInfo(string Name, string Version);
