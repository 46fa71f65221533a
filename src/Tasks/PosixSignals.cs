using System;
using System.Runtime.InteropServices;

namespace ModelPrune.Tasks;

/// <summary>
/// SIGTERM for the engine process: netstandard2.0 (the task assembly's target, for Visual Studio's MSBuild) has no
/// API to send a signal, and Process.Kill is SIGKILL, which the engine cannot answer by removing what it staged.
/// </summary>
internal static class PosixSignals
{
    // The same number on Linux and macOS.
    private const int SigTerm = 15;

    /// <summary>True when the signal was sent; false on Windows (no signals) or when the process is gone.</summary>
    public static bool Terminate(int processId)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return false;
        }

        try
        {
            return kill(processId, SigTerm) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
