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
    private bool _committed;

    /// <summary>A temporary path for <paramref name="finalPath"/> that the caller writes itself (the pruned model).</summary>
    public string Reserve(string finalPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(finalPath))!);
        var temporary = AtomicFile.TemporaryPathFor(finalPath);
        Register(temporary, finalPath);
        return temporary;
    }

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
        }
    }

    /// <summary>Removes whatever was staged and not committed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        foreach (var (temporary, _) in _staged) AtomicFile.TryDelete(temporary);
        StagingRegistry.Forget(_staged.Select(s => s.Temporary));
        _staged.Clear();
    }

    private void Register(string temporary, string finalPath)
    {
        _staged.Add((temporary, finalPath));
        StagingRegistry.Remember(temporary);
    }
}
