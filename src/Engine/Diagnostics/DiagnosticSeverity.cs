namespace ModelPrune.Engine.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}
