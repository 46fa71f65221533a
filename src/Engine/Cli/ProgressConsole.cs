namespace ModelPrune.Engine.Cli;

/// <summary>
/// What the process found about where progress goes, read at the edge (<c>Program</c>): whether stderr is a terminal,
/// and the interval between updates (MODELPRUNE_PROGRESS_INTERVAL_MS, else two seconds). In-process callers that pass
/// none get no progress under <c>--progress auto</c>: their error writer is no console anybody watches.
/// </summary>
internal sealed record ProgressConsole(bool ErrorIsTerminal, TimeSpan Interval)
{
    public const string IntervalVariable = "MODELPRUNE_PROGRESS_INTERVAL_MS";

    /// <summary>The interval a variable's text asks for: whole milliseconds, 0 or more; anything else is the default.</summary>
    public static TimeSpan IntervalFrom(string? milliseconds) =>
        int.TryParse(milliseconds, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? TimeSpan.FromMilliseconds(value)
            : Progress.ProgressReporter.DefaultInterval;
}
