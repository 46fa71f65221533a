using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Makes ONNX Runtime's managed assembly bind to the native library in a given folder (the GPU build that
/// ModelPruneOnnxRuntimeGpu downloads) instead of the CPU build shipped beside the engine. The library is
/// loaded by full path and handed to the runtime through a DllImport resolver, so ORT finds its provider
/// libraries (<c>libonnxruntime_providers_cuda.so</c>) next to it. Both must happen before the first ORT
/// call of the process: a binding, once made, stays for the life of the process.
/// </summary>
internal static class OnnxRuntimeNativeLibrary
{
    /// <summary>The name ONNX Runtime's P/Invoke declarations use.</summary>
    private const string ImportName = "onnxruntime";

    private static readonly object Gate = new();
    private static IntPtr _handle;

    /// <summary>The library's full path once <see cref="LoadFrom"/> succeeded; null while the shipped one is used.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>The file name of the library on this operating system.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll" : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so";

    /// <summary>A missing folder or library, or one that does not load, is MP3007 naming the folder.</summary>
    public static void LoadFrom(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var directory = Path.GetFullPath(folder);
        var path = Path.Combine(directory, FileName);
        lock (Gate)
        {
            if (LoadedFrom is not null)
            {
                if (string.Equals(LoadedFrom, path, StringComparison.Ordinal)) return;
                throw new InvalidOperationException($"ONNX Runtime is already bound to '{LoadedFrom}'; it cannot switch to '{path}' in the same process.");
            }

            if (!Directory.Exists(directory))
            {
                throw NotFound(directory, $"The ONNX Runtime native folder '{directory}' does not exist.");
            }

            if (!File.Exists(path))
            {
                throw NotFound(directory, $"The ONNX Runtime native folder '{directory}' holds no {FileName}.");
            }

            IntPtr handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw NotFound(directory, $"'{path}' could not be loaded ({e.Message}).");
            }

            // ORT registers a resolver of its own the first time it is used; it must not, or ours could not be set.
            OrtEnv.DisableDllImportResolver = true;
            NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, Resolve);
            _handle = handle;
            LoadedFrom = path;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        string.Equals(libraryName, ImportName, StringComparison.OrdinalIgnoreCase) ? _handle : IntPtr.Zero;

    private static ModelPruneException NotFound(string directory, string problem) =>
        new(DiagnosticCodes.OnnxRuntimeLibraryNotFound, directory,
            $"{problem} It should be the runtimes/<rid>/native folder of an ONNX Runtime package (with ModelPruneOnnxRuntimeGpu=true: "
            + "Microsoft.ML.OnnxRuntime.Gpu.Linux or .Windows 1.31.0, which the build restores; restore again if it was deleted), "
            + "or leave ModelPruneOnnxRuntimeGpu / ModelPruneOnnxRuntimeNativeDir (--onnxruntime-native-dir) unset to use the CPU build that ships with ModelPrune.");
    }
