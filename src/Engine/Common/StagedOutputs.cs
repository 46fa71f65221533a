namespace ModelPrune.Engine.Common;

/// <summary>
/// The outputs of one run appear together or not at all: each is written under a temporary name beside its final
/// name, and only <see cref="Commit"/> renames them into place. A run that fails before (a read-only report folder,
/// an error in evaluation, an interrupt) leaves none of its outputs and none of its temporary files; a rename that
/// fails part-way removes the outputs this run already moved, so no new model stands without its report.
/// </summary>
internal sealed class StagedOutputs : IDisposable
{
    private readonly List<(string Temporary, string Final)> _staged = new();
    private readonly List<string> _folders = new();
    private readonly List<string> _deletions = new();
    private bool _committed;

    /// <summary>A temporary path for <paramref name="finalPath"/> that the caller writes itself (the pruned model).</summary>
    public string Reserve(string finalPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(finalPath))!);
        var temporary = AtomicFile.TemporaryPathFor(finalPath);
        Register(temporary, finalPath);
        return temporary;
    }

    /// <summary>
    /// Temporary paths for a model and its data file, with their final file names, in a staging folder beside them: the
    /// model refers to its data file by name, so ONNX Runtime can load the staged pair (the evaluation does) before it is
    /// committed. The data file is renamed into place first, so the new model never stands without its data.
    /// </summary>
    public (string Model, string Data) ReservePair(string finalModelPath, string finalDataPath)
    {
        var folder = AtomicFile.TemporaryPathFor(finalModelPath);
        StagingRegistry.Remember(folder);
        _folders.Add(folder);
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, Path.GetFileName(finalDataPath));
        var model = Path.Combine(folder, Path.GetFileName(finalModelPath));
        _staged.Add((data, finalDataPath));
        _staged.Add((model, finalModelPath));
        return (model, data);
    }

    /// <summary>
    /// A file of an earlier run that must not outlive this one's commit (the data file of a model now written in one
    /// piece). Deleted right after the renames; a failure to delete fails the commit, so no stale pair is left looking current.
    /// </summary>
    public void DeleteOnCommit(string finalPath) => _deletions.Add(finalPath);

    public void Write(string finalPath, ReadOnlySpan<byte> bytes)
    {
        var temporary = Reserve(finalPath);
        using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>A copy of <paramref name="source"/> (a cache entry), dated now: the result is new to the build.</summary>
    public void Copy(string source, string finalPath)
    {
        var temporary = Reserve(finalPath);
        File.Copy(source, temporary);
        File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow);
    }

    public void Commit()
    {
        var moved = new List<string>();
        try
        {
            foreach (var (temporary, final) in _staged)
            {
                File.Move(temporary, final, overwrite: true);
                moved.Add(final);
            }

            foreach (var stale in _deletions.Where(File.Exists)) File.Delete(stale);
            _committed = true;
        }
        catch
        {
            foreach (var final in moved) AtomicFile.TryDelete(final);
            throw;
        }
        finally
        {
            StagingRegistry.Forget(_staged.Select(s => s.Temporary));
            foreach (var folder in _folders) AtomicFile.TryDelete(folder);
            StagingRegistry.Forget(_folders);
        }
    }

    /// <summary>Removes whatever was staged and not committed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        foreach (var (temporary, _) in _staged) AtomicFile.TryDelete(temporary);
        foreach (var folder in _folders) AtomicFile.TryDelete(folder);
        StagingRegistry.Forget(_staged.Select(s => s.Temporary));
        StagingRegistry.Forget(_folders);
        _staged.Clear();
        _folders.Clear();
    }

    private void Register(string temporary, string finalPath)
    {
        _staged.Add((temporary, finalPath));
        StagingRegistry.Remember(temporary);
    }
}
