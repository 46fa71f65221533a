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

    public static void Remember(string path) => Staged.TryAdd(path, 0);

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
