namespace ModelPrune.Build.Tests.Infrastructure;

/// <summary>What a dotnet command printed (stdout and stderr interleaved, as a user sees it) and how it ended.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    public IEnumerable<string> Lines => Output.Split('\n').Select(line => line.TrimEnd('\r'));

    /// <summary>For assertion messages: the command and the tail of its output, where the error usually is.</summary>
    public override string ToString()
    {
        const int tail = 6000;
        var text = Output.Length > tail ? "..." + Output[^tail..] : Output;
        return $"$ {CommandLine}\n(exit {ExitCode}, {Duration.TotalSeconds:F1} s)\n{text}";
    }
}
