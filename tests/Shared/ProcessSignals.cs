using System.Diagnostics;
using System.Text;
using Xunit;

namespace ModelPrune.Tests.Shared;

/// <summary>What the interruption tests of both projects do to a process they started: wait for it, signal it, collect what it prints.</summary>
internal static class ProcessSignals
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes: timing-free under load.</summary>
    public static bool Poll(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (condition()) return true;
            Thread.Sleep(5);
        }

        return condition();
    }

    /// <summary>The kill command: .NET has no API to send a signal to another process.</summary>
    public static void Send(string signal, int processId)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-s {signal} {processId}") { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Collects a line of stdout or stderr; both streams' handlers call it from their own threads.</summary>
    public static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.Append(line).Append('\n');
    }
}
