namespace ModelPrune.Engine.Common;

/// <summary>
/// Write-to-temporary-then-rename, so an interrupted run never leaves a half-written file under the final
/// name. Temporary names are <c>&lt;name&gt;.&lt;pid&gt;-&lt;guid&gt;.tmp</c> in the target folder (same volume, so the
/// rename is atomic); the process id lets a later run remove what a killed one left (<see cref="RemoveStale"/>).
/// </summary>
internal static class AtomicFile
{
    private static readonly System.Text.RegularExpressions.Regex StagedName =
        new(@"\.(\d+)-[0-9a-f]{32}\.tmp$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $"{Path.GetFileName(path)}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Removes the temporary files of <paramref name="path"/> that processes no longer running left in its folder
    /// (kill -9 mid-write: 90 MB each for MiniLM). Files of a live process, this one included, are kept.
    /// </summary>
    public static void RemoveStale(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) return;
        // Folders too: a model with external data is staged as a folder holding the pair (see StagedOutputs.ReservePair).
        foreach (var candidate in Directory.EnumerateFileSystemEntries(folder, Path.GetFileName(path) + ".*.tmp"))
        {
            var match = StagedName.Match(candidate);
            if (match.Success && int.TryParse(match.Groups[1].Value, out var pid) && !IsRunning(pid)) TryDelete(candidate);
        }
    }

    internal static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryPathFor(path);
        StagingRegistry.Remember(temporary);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        finally
        {
            StagingRegistry.Forget(new[] { temporary });
        }
    }

    public static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var temporary = TemporaryPathFor(destination);
        StagingRegistry.Remember(temporary);
        try
        {
            File.Copy(source, temporary);
            // File.Copy keeps the source's (e.g. a cache entry's) old time; the result is new to the build.
            File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow);
            File.Move(temporary, destination, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        finally
        {
            StagingRegistry.Forget(new[] { temporary });
        }
    }

    /// <summary>Removes a file, or a staging folder (only a folder with a staged name: never one of the user's).</summary>
    /// <summary>
    /// A signal handler may remove the folder while the writer still creates its second file there, which makes one
    /// recursive delete fail with "not empty": a few more tries see the folder settle.
    /// </summary>
    private static void DeleteStagingFolder(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 3 && Directory.Exists(path))
            {
                Thread.Sleep(20);
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
            else if (Directory.Exists(path) && StagedName.IsMatch(path)) DeleteStagingFolder(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover *.tmp is harmless and never mistaken for an output.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
