using ModelPrune.Progress;

namespace ModelPrune.Engine.Progress;

/// <summary>
/// One line per update, flushed at once: structured for the MSBuild task, which logs it while the stage runs
/// (<c>modelprune-progress: stage=prune layer=12/36 elapsed=8.1s remaining=16.2s model=...</c>), or in words for a
/// redirected console such as a CI log (<c>classifier.onnx: prune layer 12/36, 8.1 s elapsed, about 16 s left</c>).
/// </summary>
internal sealed class LineProgressOutput : IProgressOutput
{
    private readonly object _gate = new();
    private readonly TextWriter _writer;
    private readonly Func<ProgressLine, string> _format;

    private LineProgressOutput(TextWriter writer, Func<ProgressLine, string> format)
    {
        _writer = writer;
        _format = format;
    }

    public static LineProgressOutput Structured(TextWriter writer) => new(writer, line => line.Format());

    public static LineProgressOutput Plain(TextWriter writer) => new(writer, line => line.Model + ": " + line.Describe());

    public void Write(ProgressLine line)
    {
        lock (_gate)
        {
            _writer.WriteLine(_format(line));
            _writer.Flush();
        }
    }

    public void Close()
    {
    }
}
