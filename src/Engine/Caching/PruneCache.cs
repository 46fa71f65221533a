using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Caching;

/// <summary>
/// Content-addressed store of pruning results, shared by projects and surviving `dotnet clean`.
/// An entry is a folder <c>v1/ab/abcdef…/</c> holding <c>model.onnx</c>, <c>report.json</c>, for a model written with
/// external data <c>model.data</c>, and <c>entry.txt</c> (their SHA-256, and the data file's name as the model refers to
/// it). It is assembled in a temporary folder and renamed into place, so a reader sees a whole entry or none; on read every
/// file is hashed again, and a mismatch (or a data file the entry lists and lacks) is reported as corrupt.
/// </summary>
internal sealed class PruneCache
{
    private const string ModelFile = "model.onnx";
    private const string DataFile = "model.data";
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
            if (expected is not { } entry
                || FileHash.Sha256Hex(modelPath) != entry.Model
                || FileHash.Sha256Hex(report) != entry.Report)
            {
                return CacheLookup.Corrupt;
            }

            string? dataPath = null;
            if (entry.Data is not null)
            {
                // The data file is as much the result as the model: a damaged one is a corrupt entry, never a hit.
                dataPath = Path.Combine(folder, DataFile);
                if (entry.DataName is null || !File.Exists(dataPath) || FileHash.Sha256Hex(dataPath) != entry.Data) return CacheLookup.Corrupt;
            }

            result = new CachedResult(modelPath, report, dataPath, entry.DataName);
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
    /// <param name="dataPath">The model's external data file, or null for a model in one file.</param>
    public void Put(string key, string prunedModelPath, byte[] reportJson, string? dataPath = null)
    {
        var stagingRoot = Path.Combine(EntriesRoot, "tmp");
        RemoveStaleStaging(stagingRoot);
        var staging = Path.Combine(stagingRoot, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            File.Copy(prunedModelPath, Path.Combine(staging, ModelFile));
            File.WriteAllBytes(Path.Combine(staging, ReportFile), reportJson);
            var lines = new List<string>
            {
                "model=" + FileHash.Sha256Hex(Path.Combine(staging, ModelFile)),
                "report=" + FileHash.Sha256Hex(reportJson),
            };
            if (dataPath is not null)
            {
                File.Copy(dataPath, Path.Combine(staging, DataFile));
                lines.Add("data=" + FileHash.Sha256Hex(Path.Combine(staging, DataFile)));
                lines.Add("dataName=" + Path.GetFileName(dataPath));
            }

            File.WriteAllLines(Path.Combine(staging, EntryFile), lines);

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

    private static (string Model, string Report, string? Data, string? DataName)? ParseEntry(string[] lines)
    {
        string? model = null, report = null, data = null, dataName = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("model=", StringComparison.Ordinal)) model = line.Substring(6);
            else if (line.StartsWith("report=", StringComparison.Ordinal)) report = line.Substring(7);
            else if (line.StartsWith("data=", StringComparison.Ordinal)) data = line.Substring(5);
            else if (line.StartsWith("dataName=", StringComparison.Ordinal)) dataName = line.Substring(9);
        }

        return model is null || report is null ? null : (model, report, data, dataName);
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
