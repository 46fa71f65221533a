namespace ModelPrune.Engine.Tests.Progress;

/// <summary>A clock that moves only when the test says so.</summary>
internal sealed class ManualClock
{
    public TimeSpan Now { get; private set; }

    public void Advance(double seconds) => Now += TimeSpan.FromSeconds(seconds);
}
