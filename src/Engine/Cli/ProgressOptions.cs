using System.CommandLine;
using ModelPrune.Engine.Progress;

namespace ModelPrune.Engine.Cli;

/// <summary>
/// <c>--progress auto|bar|lines|machine|none</c> of <c>prune</c> and <c>batch</c>: a display choice, not a prune setting,
/// so it is no row of the setting table and never joins the cache key (like <c>--report</c>).
/// </summary>
internal sealed class ProgressOptions
{
    private static readonly string[] Modes = Enum.GetNames<ProgressMode>().Select(name => name.ToLowerInvariant()).ToArray();

    private readonly TextWriter _error;
    private readonly ProgressConsole? _console;

    /// <param name="error">Progress goes to stderr, leaving stdout to the diagnostics and summaries.</param>
    public ProgressOptions(TextWriter error, ProgressConsole? console)
    {
        _error = error;
        _console = console;
    }

    public TimeSpan Interval => _console?.Interval ?? ProgressReporter.DefaultInterval;

    public Option<string> CreateOption()
    {
        var option = new Option<string>("--progress")
        {
            Description = "Progress of the long stages on stderr: auto (a bar on a terminal, plain lines when redirected), bar, lines, machine (structured lines for the MSBuild task) or none.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong(Modes);
        return option;
    }

    /// <summary>Where <paramref name="mode"/> sends progress in this process; null: nowhere.</summary>
    public IProgressOutput? OutputFor(string? mode)
    {
        var parsed = Enum.Parse<ProgressMode>(mode ?? "auto", ignoreCase: true);
        return parsed == ProgressMode.Auto && _console is null ? null : IProgressOutput.For(parsed, _error, _console?.ErrorIsTerminal ?? false);
    }
}
