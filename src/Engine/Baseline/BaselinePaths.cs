using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Baseline;

/// <summary>Where the gate writes: the received report sits next to the baseline, named after the model.</summary>
internal static class BaselinePaths
{
    /// <summary><c>obj/…/classifier.prune.json</c> + <c>Models/x.json</c> → <c>Models/classifier.prune.received.json</c>.</summary>
    public static string ReceivedFor(string reportPath, string baselinePath)
    {
        var reportName = Path.GetFileName(reportPath);
        var stem = reportName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? reportName[..^".json".Length] : reportName;
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(baselinePath))!, stem + ".received.json");
    }

    /// <summary>Paths under which writing the received file or accepting would destroy something.</summary>
    public static void Validate(string reportPath, string baselinePath)
    {
        var report = Path.GetFullPath(reportPath);
        var baseline = Path.GetFullPath(baselinePath);
        if (Directory.Exists(baseline))
        {
            throw Invalid(baseline, "The baseline path names a folder; give the file, e.g. Baseline=\"Models/classifier.prune.verified.json\".");
        }

        if (PathsEqual(report, baseline))
        {
            throw Invalid(baseline, "The baseline is the new report itself; give a file of its own in the project, e.g. Baseline=\"Models/classifier.prune.verified.json\".");
        }

        if (PathsEqual(ReceivedFor(report, baseline), baseline))
        {
            throw Invalid(baseline, $"The baseline is named like the file the gate writes a differing report to ({Path.GetFileName(baseline)}); name it e.g. {Path.GetFileName(baseline).Replace(".received.", ".verified.", StringComparison.OrdinalIgnoreCase)}.");
        }
    }

    private static bool PathsEqual(string a, string b) =>
        string.Equals(a, b, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    private static ModelPruneException Invalid(string file, string message) => new(DiagnosticCodes.InvalidBaselinePath, file, message);
}
