using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace ModelPrune.Tasks;

/// <summary>
/// Finds the <c>dotnet</c> executable that runs the engine. Preferring the host of the running build
/// means the engine runs on the runtime of the SDK that builds the project, whatever PATH says.
/// </summary>
internal static class DotnetHost
{
    public static string FileName => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";

    /// <summary>The first existing candidate, or null when there is none.</summary>
    public static string? Find(string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            // An explicit setting is never second-guessed: a wrong path must be reported, not bypassed.
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : null;
        }

        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = CurrentProcessIfDotnet();
        if (current != null)
        {
            return current;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, FileName)))
        {
            return Path.Combine(root, FileName);
        }

        return FindOnPath();
    }

    private static string? CurrentProcessIfDotnet()
    {
        try
        {
            using (var process = Process.GetCurrentProcess())
            {
                var path = process.MainModule?.FileName;
                return path != null && string.Equals(Path.GetFileName(path), FileName, StringComparison.OrdinalIgnoreCase) ? path : null;
            }
        }
        catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception || e is NotSupportedException)
        {
            return null;
        }
    }

    private static string? FindOnPath()
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (var folder in path.Split(Path.PathSeparator))
        {
            if (folder.Length == 0)
            {
                continue;
            }

            try
            {
                var candidate = Path.Combine(folder.Trim('"'), FileName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            catch (ArgumentException)
            {
                // PATH may hold entries with characters that are not valid in a path; skip them.
            }
        }

        return null;
    }
}
