using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Caching;

/// <summary>
/// Content-addressed store of pruning results, shared by projects and surviving `dotnet clean`.
/// An entry is a folder <c>v1/ab/abcdef…/</c> holding <c>model.onnx</c>, <c>report.json</c> and
/// <c>entry.txt</c> (their SHA-256). It is assembled in a temporary folder and renamed into place, so a
/// reader sees a whole entry or none; on read both files are hashed again, and a mismatch is reported as corrupt.
/// </summary>
internal sealed class PruneCache
{
    private const string ModelFile = "model.onnx";
    private const string ReportFile = "report.json";
    private const string EntryFile = "entry.txt";

    public PruneCache(string root)
    {
        Root = root;
    }

    public string Root { get; }

    private string EntriesRoot => Path.Combine(Root, "v1");

    public CacheLookup TryGet(string key, out CachedResult? result)
    {
        result = null;
        var folder = EntryFolder(key);
        var entryPath = Path.Combine(folder, EntryFile);
        if (!File.Exists(entryPath)) return CacheLookup.Miss;

        try
        {
            var expected = ParseEntry(File.ReadAllLines(entryPath));
            var modelPath = Path.Combine(folder, ModelFile);
            var report = File.ReadAllBytes(Path.Combine(folder, ReportFile));
            if (expected is null
                || FileHash.Sha256Hex(modelPath) != expected.Value.Model
                || FileHash.Sha256Hex(report) != expected.Value.Report)
            {
                return CacheLookup.Corrupt;
            }

            result = new CachedResult(modelPath, report);
            return CacheLookup.Hit;
        }
        catch (IOException)
        {
            return CacheLookup.Corrupt;
        }
        catch (UnauthorizedAccessException)
        {
            return CacheLookup.Corrupt;
        }
    }

    /// <summary>Stores a result; replaces a corrupt entry. Throws IOException/UnauthorizedAccessException when the folder is unwritable.</summary>
    public void Put(string key, string prunedModelPath, byte[] reportJson)
    {
        var stagingRoot = Path.Combine(EntriesRoot, "tmp");
        RemoveStaleStaging(stagingRoot);
        var staging = Path.Combine(stagingRoot, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            File.Copy(prunedModelPath, Path.Combine(staging, ModelFile));
            File.WriteAllBytes(Path.Combine(staging, ReportFile), reportJson);
            File.WriteAllLines(Path.Combine(staging, EntryFile), new[]
            {
                "model=" + FileHash.Sha256Hex(Path.Combine(staging, ModelFile)),
                "report=" + FileHash.Sha256Hex(reportJson),
            });

            var folder = EntryFolder(key);
            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another build stored the same key a moment ago; its entry is as good as ours.
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private string EntryFolder(string key) => Path.Combine(EntriesRoot, key.Substring(0, 2), key);

    private static (string Model, string Report)? ParseEntry(string[] lines)
    {
        string? model = null, report = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("model=", StringComparison.Ordinal)) model = line.Substring(6);
            else if (line.StartsWith("report=", StringComparison.Ordinal)) report = line.Substring(7);
        }

        return model is null || report is null ? null : (model, report);
    }

    /// <summary>Staging folders of processes no longer running (killed mid-store): never renamed into place, never read.</summary>
    private static void RemoveStaleStaging(string stagingRoot)
    {
        if (!Directory.Exists(stagingRoot)) return;
        foreach (var folder in Directory.EnumerateDirectories(stagingRoot))
        {
            var name = Path.GetFileName(folder);
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], out var pid) ? AtomicFile.IsRunning(pid)
                // Named by an older engine, without its process id: left alone while it may still be in use.
                : Directory.GetLastWriteTimeUtc(folder) > DateTime.UtcNow.AddHours(-1))
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process may be removing it too; what stays is harmless and tried again next time.
            }
        }
    }
}
