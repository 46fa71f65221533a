using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Tests.TestSupport;

namespace ModelPrune.Engine.Tests.Common;

/// <summary>
/// The failures that happen before ONNX Runtime is touched, so they can run inside the test host (which has
/// long bound ORT to its own copy). Loading a library for real needs a fresh process: see NativeDirectoryTests.
/// </summary>
public sealed class OnnxRuntimeNativeLibraryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_missing_folder_is_MP3007_naming_it()
    {
        var missing = _folder.File("no-such-folder");

        var e = Assert.Throws<ModelPruneException>(() => OnnxRuntimeNativeLibrary.LoadFrom(missing));

        Assert.Equal(DiagnosticCodes.OnnxRuntimeLibraryNotFound, e.Diagnostic.Code);
        Assert.Equal(missing, e.Diagnostic.File);
        Assert.Contains("does not exist", e.Message);
        Assert.Null(OnnxRuntimeNativeLibrary.LoadedFrom);
    }

    [Fact]
    public void A_folder_without_the_library_is_MP3007_naming_the_file_it_looked_for()
    {
        var e = Assert.Throws<ModelPruneException>(() => OnnxRuntimeNativeLibrary.LoadFrom(_folder.Path));

        Assert.Equal(DiagnosticCodes.OnnxRuntimeLibraryNotFound, e.Diagnostic.Code);
        Assert.Contains(OnnxRuntimeNativeLibrary.FileName, e.Message);
        Assert.Null(OnnxRuntimeNativeLibrary.LoadedFrom);
    }

    [Fact]
    public void A_file_that_is_no_library_is_MP3007()
    {
        File.WriteAllText(_folder.File(OnnxRuntimeNativeLibrary.FileName), "not a shared library");

        var e = Assert.Throws<ModelPruneException>(() => OnnxRuntimeNativeLibrary.LoadFrom(_folder.Path));

        Assert.Equal(DiagnosticCodes.OnnxRuntimeLibraryNotFound, e.Diagnostic.Code);
        Assert.Contains("could not be loaded", e.Message);
        Assert.Null(OnnxRuntimeNativeLibrary.LoadedFrom);
    }
}
