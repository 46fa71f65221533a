using ModelPrune.Progress;

namespace ModelPrune.Engine.Progress;

/// <summary><c>classifier.onnx: prune layer 12/36, 8.1 s elapsed, about 16 s left</c>: for a redirected console (a CI log, a file).</summary>
internal sealed class PlainProgressOutput : IProgressOutput
{
    private readonly object _gate = new();
    private readonly TextWriter _writer;

    public PlainProgressOutput(TextWriter writer) => _writer = writer;

    public void Write(ProgressLine line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line.Model + ": " + line.Describe());
            _writer.Flush();
        }
    }

    public void Close()
    {
    }
}
