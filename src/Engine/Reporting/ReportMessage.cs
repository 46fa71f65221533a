namespace ModelPrune.Engine.Reporting;

public sealed record ReportMessage(string Code, string Message);
