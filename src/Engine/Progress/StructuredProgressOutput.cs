using ModelPrune.Progress;

namespace ModelPrune.Engine.Progress;

/// <summary>
/// <c>modelprune-progress: stage=prune layer=12/36 elapsed=8.1s remaining=16.2s model=...</c>, one per update, flushed
/// at once so the MSBuild task logs it while the stage runs.
/// </summary>
internal sealed class StructuredProgressOutput : IProgressOutput
{
    private readonly object _gate = new();
    private readonly TextWriter _writer;

    public StructuredProgressOutput(TextWriter writer) => _writer = writer;

    public void Write(ProgressLine line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line.Format());
            _writer.Flush();
        }
    }

    public void Close()
    {
    }
}
