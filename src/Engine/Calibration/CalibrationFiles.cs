using System.Text.RegularExpressions;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// Turns a <c>;</c>-separated list of paths and globs into the sorted, de-duplicated calibration files.
/// Wildcards (<c>*</c>, <c>?</c>) are allowed in the file-name part only: the engine references no globbing
/// library, and a flat folder of shards is what calibration data looks like in practice.
/// </summary>
internal static class CalibrationFiles
{
    public static IReadOnlyList<string> Resolve(string spec, string baseDirectory, string file)
    {
        var patterns = spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (patterns.Length == 0)
        {
            throw new ModelPruneException(
                DiagnosticCodes.CalibrationDataNotFound,
                file,
                "The calibration data names no files; give .npz/.npy paths or globs separated by ';', or 'synthetic'.");
        }

        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pattern in patterns)
        {
            foreach (var path in Match(pattern, baseDirectory, file))
            {
                found.Add(path);
            }
        }

        return found.ToArray();
    }

    /// <summary>The path as the user would recognise it: relative to the base folder when inside it.</summary>
    public static string Display(string fullPath, string baseDirectory)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(baseDirectory), fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }

    public static bool IsNpz(string path) => path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);

    public static bool IsNpy(string path) => path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> Match(string pattern, string baseDirectory, string file)
    {
        var full = Path.GetFullPath(pattern, Path.GetFullPath(baseDirectory));
        var folder = Path.GetDirectoryName(full) ?? full;
        var name = Path.GetFileName(full);

        if (HasWildcard(folder))
        {
            throw NotFound(file, $"Calibration data pattern '{pattern}' has a wildcard in its folder part; wildcards (* and ?) are supported in the file name only, e.g. 'calibration/*.npz'.");
        }

        if (!HasWildcard(name))
        {
            if (!File.Exists(full))
            {
                throw NotFound(file, $"Calibration data file '{pattern}' does not exist (looked for {full}); fix the path, which is relative to the project folder.");
            }

            if (!IsNpz(full) && !IsNpy(full))
            {
                throw new ModelPruneException(
                    DiagnosticCodes.InvalidCalibrationData,
                    file,
                    $"Calibration data file '{pattern}' is neither .npz nor .npy; save the inputs with numpy.savez (one array per model input) or numpy.save.");
            }

            return new[] { full };
        }

        if (!Directory.Exists(folder))
        {
            throw NotFound(file, $"Calibration data pattern '{pattern}' matched nothing: folder {folder} does not exist.");
        }

        var regex = ToRegex(name);

        // Our own match rather than EnumerateFiles' search pattern, which on Windows also matches 8.3 short
        // names and treats "*.npy" as "*.npy*"; other files (a README beside the shards) are skipped, not errors.
        var matches = Directory.EnumerateFiles(folder)
            .Where(path => regex.IsMatch(Path.GetFileName(path)) && (IsNpz(path) || IsNpy(path)))
            .ToArray();
        if (matches.Length == 0)
        {
            throw NotFound(file, $"Calibration data pattern '{pattern}' matched no .npz or .npy file in {folder}; fix the pattern or add the files.");
        }

        return matches;
    }

    private static bool HasWildcard(string text) => text.IndexOfAny(new[] { '*', '?' }) >= 0;

    private static Regex ToRegex(string glob)
    {
        var body = Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal);

        // File names compare the way the file system does.
        var options = RegexOptions.CultureInvariant | (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? RegexOptions.IgnoreCase : RegexOptions.None);
        return new Regex($"^{body}$", options);
    }

    private static ModelPruneException NotFound(string file, string message) =>
        new(DiagnosticCodes.CalibrationDataNotFound, file, message);
}
