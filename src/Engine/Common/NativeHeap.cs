using System.Runtime.InteropServices;

namespace ModelPrune.Engine.Common;

/// <summary>
/// glibc keeps the memory ONNX Runtime frees (a session's arena and activations) in its heap for the next allocation,
/// where it still counts in the process's memory; the engine opens a session per statistics block and then allocates
/// managed arrays, not native ones. Trimming after a session hands it back (MiniLM with wanda: 20–40 MB of the peak).
/// Linux with glibc only; elsewhere (and on musl, which has no malloc_trim) it does nothing.
/// </summary>
internal static partial class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void Trim()
    {
        if (_unavailable) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
