namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Decides whether an external-data location stays inside the model's folder. A model file from
/// elsewhere must not make the engine read (and then embed into its output) arbitrary files, so both
/// the lexical path and the path after following symbolic links have to stay inside.
/// </summary>
internal static class ModelFolderPaths
{
    private const int MaxLinkHops = 40;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static IEqualityComparer<string> PathComparer { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Returns the real path of <paramref name="location"/>, or null when it points outside the folder.</summary>
    public static string? ResolveInside(string modelFolder, string location)
    {
        // Exporters on Windows write backslashes; ONNX itself uses forward slashes.
        var normalized = location.Replace('\\', '/');
        if (normalized.Length == 0 || normalized[0] == '/' || Path.IsPathRooted(normalized) || HasDriveLetter(normalized))
        {
            return null;
        }

        var folder = Path.GetFullPath(modelFolder);
        var lexical = Path.GetFullPath(Path.Combine(folder, normalized));
        if (!IsInside(folder, lexical))
        {
            return null;
        }

        var realFolder = FollowLinks(folder);
        var real = FollowLinks(Path.Combine(folder, normalized));
        return IsInside(realFolder, real) ? real : null;
    }

    private static bool HasDriveLetter(string path) => path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0]);

    private static bool IsInside(string folder, string path)
    {
        var prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, PathComparison);
    }

    /// <summary>
    /// Resolves every symbolic link along the path, one component at a time, so that "..", links to
    /// folders and links to files are all judged by where they really lead (what realpath(3) does).
    /// </summary>
    internal static string FollowLinks(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var pending = new Stack<string>(SplitComponents(full[root.Length..]).Reverse());
        var current = root;
        var hops = 0;
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, component);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            var target = info.LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new IOException($"too many levels of symbolic links at '{next}'");
            }

            var targetFull = Path.GetFullPath(target, current);
            var targetRoot = Path.GetPathRoot(targetFull) ?? string.Empty;
            foreach (var part in SplitComponents(targetFull[targetRoot.Length..]).Reverse())
            {
                pending.Push(part);
            }

            current = targetRoot;
        }

        return current;
    }

    private static IEnumerable<string> SplitComponents(string relative) =>
        relative.Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries);
}
