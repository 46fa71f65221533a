using System;
using System.IO;
using System.Threading;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelPrune.Tasks;

/// <summary>
/// An exclusive lock on a file, held across processes. Builds of one project for different target
/// frameworks can run at once (two referencing projects asking for different frameworks); they
/// share the output folder, and without the lock both would start the engine on the same outputs.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(200);

    private readonly FileStream _stream;

    private FolderLock(FileStream stream) => _stream = stream;

    /// <summary>Waits until the lock is free; null when <paramref name="cancelled"/> is set first.</summary>
    public static FolderLock? Acquire(string path, TaskLoggingHelper log, WaitHandle cancelled)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var announced = false;
        while (true)
        {
            try
            {
                // FileShare.None is an OS-level lock on Windows and flock() on Unix: both are
                // released by the OS if this build dies.
                return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                if (!announced)
                {
                    log.LogMessage(MessageImportance.Normal, "ModelPrune: waiting for another build that prunes into the same folder ({0}).", folder);
                    announced = true;
                }
            }

            if (cancelled.WaitOne(RetryInterval))
            {
                return null;
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
