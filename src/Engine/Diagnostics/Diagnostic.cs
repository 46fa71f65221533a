namespace ModelPrune.Engine.Diagnostics;

/// <summary>A coded message about one file, printed in the canonical form MSBuild parses.</summary>
internal sealed record Diagnostic(DiagnosticSeverity Severity, string Code, string File, string Message)
{
    public static Diagnostic Warning(string code, string file, string message) => new(DiagnosticSeverity.Warning, code, file, message);

    public static Diagnostic Error(string code, string file, string message) => new(DiagnosticSeverity.Error, code, file, message);

    public static Diagnostic Info(string code, string file, string message) => new(DiagnosticSeverity.Info, code, file, message);

    /// <summary>
    /// <c>path: error MP1234: message</c>: ToolTask turns this into an MSBuild error with code and file.
    /// <c>info</c> is no category MSBuild knows, so such a line stays a message (the task lowers its importance).
    /// </summary>
    public override string ToString()
    {
        var kind = Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };
        var file = string.IsNullOrEmpty(File) ? "modelprune" : File;
        return $"{file}: {kind} {Code}: {Message}";
    }
}
