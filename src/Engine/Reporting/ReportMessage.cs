namespace ModelPrune.Engine.Reporting;

internal sealed record ReportMessage(string Code, string Message);
