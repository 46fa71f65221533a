namespace ModelPrune.Engine.Common;

/// <summary>
/// A folder of the engine's own temporary files (an instrumented model's file pair, the evaluation's spilled outputs),
/// named as staged outputs are, <c>&lt;name&gt;.&lt;pid&gt;-&lt;guid&gt;.tmp</c>: an interrupt's clean-up removes it
/// (<see cref="StagingRegistry"/>), the next run removes one a killed process left (<see cref="AtomicFile.RemoveStale"/>),
/// and disposing removes it.
/// </summary>
internal sealed class ScratchFolder : IDisposable
{
    private ScratchFolder(string path) => Path = path;

    public string Path { get; }

    /// <param name="parent">The folder it goes in.</param>
    /// <param name="name">What it is for, e.g. <c>modelprune-session</c>.</param>
    public static ScratchFolder Create(string parent, string name)
    {
        var named = System.IO.Path.Combine(parent, name);
        AtomicFile.RemoveStale(named);
        var path = AtomicFile.TemporaryPathFor(named);
        StagingRegistry.Remember(path);
        Directory.CreateDirectory(path);
        return new ScratchFolder(path);
    }

    /// <summary>Best effort: a file still held open (Windows) is left behind.</summary>
    public void Dispose()
    {
        AtomicFile.TryDelete(Path);
        StagingRegistry.Forget(new[] { Path });
    }
}
