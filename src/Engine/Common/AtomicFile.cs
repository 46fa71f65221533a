namespace ModelPrune.Engine.Common;

/// <summary>
/// Write-to-temporary-then-rename, so an interrupted run never leaves a half-written file under the final
/// name. Temporary names end in <c>.tmp</c> in the target folder (same volume, so the rename is atomic).
/// </summary>
internal static class AtomicFile
{
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $"{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryPathFor(path);
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
    }

    public static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var temporary = TemporaryPathFor(destination);
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
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
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
