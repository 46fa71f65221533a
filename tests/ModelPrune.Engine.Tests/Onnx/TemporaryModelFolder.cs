namespace ModelPrune.Engine.Tests.Onnx;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it when disposed.</summary>
public sealed class TemporaryModelFolder : IDisposable
{
    public TemporaryModelFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "modelprune-onnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file ONNX Runtime still maps on some platform; the OS temp cleaner gets it later.
        }
    }
}
