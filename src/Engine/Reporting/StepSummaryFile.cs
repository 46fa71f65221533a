using System.Text;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// Appends the models' summary tables to the GitHub Actions job summary (the file GITHUB_STEP_SUMMARY names).
/// Appending, never overwriting: other steps and other projects of the same job write there too. A failure
/// is a warning, because the summary page is a convenience and the build's results are already written.
/// </summary>
internal static class StepSummaryFile
{
    /// <summary>Returns the warning to print when the file could not be written; null on success or with nothing to add.</summary>
    public static Diagnostic? Append(string path, IEnumerable<(string DisplayName, string? Table)> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var text = new StringBuilder();
        foreach (var (displayName, table) in summaries)
        {
            if (table is null) continue;
            text.Append("### ModelPrune: ").Append(displayName).Append("\n\n").Append(table).Append('\n');
        }

        if (text.Length == 0) return null;
        try
        {
            File.AppendAllText(path, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Diagnostic.Warning(DiagnosticCodes.StepSummaryUnwritable, path,
                $"Could not append the ModelPrune summary to the GitHub step summary file named by GITHUB_STEP_SUMMARY ({e.Message}); the build's results are not affected.");
        }
    }
}
