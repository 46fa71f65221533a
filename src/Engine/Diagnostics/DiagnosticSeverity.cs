namespace ModelPrune.Engine.Diagnostics;

internal enum DiagnosticSeverity
{
    /// <summary>Worth knowing, not worth a warning (MSBuild logs it as a normal-importance message).</summary>
    Info,
    Warning,
    Error,
}
