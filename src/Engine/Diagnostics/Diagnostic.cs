namespace ModelPrune.Engine.Diagnostics;

/// <summary>A coded message about one file, printed in the canonical form MSBuild parses.</summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Code, string File, string Message)
{
    public static Diagnostic Warning(string code, string file, string message) => new(DiagnosticSeverity.Warning, code, file, message);

    public static Diagnostic Error(string code, string file, string message) => new(DiagnosticSeverity.Error, code, file, message);

    /// <summary><c>path: error MP1234: message</c>: ToolTask turns this into an MSBuild error with code and file.</summary>
    public override string ToString()
    {
        var kind = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var file = string.IsNullOrEmpty(File) ? "modelprune" : File;
        return $"{file}: {kind} {Code}: {Message}";
    }
}
