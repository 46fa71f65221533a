using ModelPrune.Engine.Progress;
using ModelPrune.Progress;

namespace ModelPrune.Engine.Tests.Progress;

/// <summary>Keeps every update a reporter writes, for tests of what reaches the output and when.</summary>
internal sealed class RecordingProgressOutput : IProgressOutput
{
    public List<ProgressLine> Lines { get; } = new();

    public bool Closed { get; private set; }

    public void Write(ProgressLine line) => Lines.Add(line);

    public void Close() => Closed = true;
}
