using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Common;

/// <summary>
/// The temporary files this process has staged and not yet renamed or removed. On Ctrl+C or SIGTERM (a cancelled
/// build, a CI timeout) they are removed before the process ends, so an interrupted run leaves nothing behind.
/// </summary>
internal static class StagingRegistry
{
    private static readonly ConcurrentDictionary<string, byte> Staged = new(StringComparer.Ordinal);
    private static readonly List<PosixSignalRegistration> Registrations = new();

    /// <summary>Set by the signal handler: the process is ending, and nothing new may be staged that no one would remove.</summary>
    private static volatile bool _interrupted;

    /// <summary>Called before the temporary file is created; after an interrupt it refuses, so the file never exists.</summary>
    public static void Remember(string path)
    {
        if (!_interrupted) Staged.TryAdd(path, 0);
        // Checked again after adding: a sweep between the first check and the add did not see this path.
        if (_interrupted)
        {
            Staged.TryRemove(path, out _);
            throw new ModelPruneException(DiagnosticCodes.Interrupted, path, "Interrupted: the process is ending, so nothing more is written.");
        }
    }

    public static void Forget(IEnumerable<string> paths)
    {
        foreach (var path in paths) Staged.TryRemove(path, out _);
    }

    /// <summary>Once per process, by the command line: tests running the engine in process keep their own handlers.</summary>
    public static void RemoveStagedFilesOnInterrupt(TextWriter output)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // The pipeline keeps running until the process ends: it must not stage a file after the sweep.
                _interrupted = true;
                RemoveAll();
                output.WriteLine(Diagnostic.Error(DiagnosticCodes.Interrupted, "modelprune",
                    $"Interrupted ({context.Signal}): the files this run had staged were removed; outputs of earlier runs are as they were."));
                output.Flush();
                // The default action then ends the process with the signal's exit code.
            }));
        }
    }

    /// <param name="under">Only the files below this folder (tests share the process); null for all.</param>
    internal static void RemoveAll(string? under = null)
    {
        foreach (var path in Staged.Keys.Where(path => under is null || path.StartsWith(under, StringComparison.Ordinal)))
        {
            AtomicFile.TryDelete(path);
            Staged.TryRemove(path, out _);
        }
    }
}
