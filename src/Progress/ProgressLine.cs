using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelPrune.Progress;

/// <summary>
/// One progress update of a long stage: <c>prune layer 12/36, 8.1 s elapsed, about 16 s left</c>. Shared source: the
/// engine writes it as a structured line (<see cref="Format"/>) and the MSBuild task reads it back (<see cref="Parse"/>)
/// to log it in words (<see cref="Describe"/>), so both ends agree on one format.
/// </summary>
internal sealed class ProgressLine
{
    /// <summary>What starts every structured progress line; no diagnostic or summary line starts with it.</summary>
    public const string Prefix = "modelprune-progress:";

    // The model comes last: a file name may hold spaces, and everything after "model=" is the name.
    private static readonly Regex Structured = new(
        @"^modelprune-progress: stage=(?<stage>[a-z-]+) (?<unit>[a-z-]+)=(?<done>\d+)/(?<total>\d+) elapsed=(?<elapsed>\d+(?:\.\d+)?)s remaining=(?:(?<remaining>\d+(?:\.\d+)?)s|\?) model=(?<model>.+)$",
        RegexOptions.CultureInvariant);

    public ProgressLine(string model, string stage, string unit, int done, int total, TimeSpan elapsed, TimeSpan? remaining)
    {
        Model = model;
        Stage = stage;
        Unit = unit;
        Done = done;
        Total = total;
        Elapsed = elapsed;
        Remaining = remaining;
    }

    /// <summary>The model as the build names it (its path relative to the project).</summary>
    public string Model { get; }

    /// <summary>statistics, prune, quantize, evaluate, search or sweep.</summary>
    public string Stage { get; }

    /// <summary>What the stage counts: batch, layer, probe or point.</summary>
    public string Unit { get; }

    /// <summary>Items finished so far.</summary>
    public int Done { get; }

    public int Total { get; }

    /// <summary>Since the stage began.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Linear from the time the finished items took; null before the first one finished.</summary>
    public TimeSpan? Remaining { get; }

    public bool IsLast => Done >= Total;

    /// <summary><c>modelprune-progress: stage=prune layer=12/36 elapsed=8.1s remaining=16.2s model=Models/classifier.onnx</c></summary>
    public string Format() =>
        Prefix + FormattableString.Invariant(
            $" stage={Stage} {Unit}={Done}/{Total} elapsed={Seconds(Elapsed)}s remaining={(Remaining is { } left ? Seconds(left) + "s" : "?")} model={Model}");

    /// <summary>The update a structured line carries; null for any other line (or a malformed one).</summary>
    public static ProgressLine? Parse(string line)
    {
        if (line == null || !line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var match = Structured.Match(line);
        if (!match.Success)
        {
            return null;
        }

        var remaining = match.Groups["remaining"];
        return new ProgressLine(
            match.Groups["model"].Value,
            match.Groups["stage"].Value,
            match.Groups["unit"].Value,
            int.Parse(match.Groups["done"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["total"].Value, CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(match.Groups["elapsed"].Value, CultureInfo.InvariantCulture)),
            remaining.Success ? TimeSpan.FromSeconds(double.Parse(remaining.Value, CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>For people: <c>prune layer 12/36, 8.1 s elapsed, about 16 s left</c>; the last update says <c>done in 24 s</c>.</summary>
    public string Describe()
    {
        var position = FormattableString.Invariant($"{Stage} {Unit} {Done}/{Total}");
        if (IsLast)
        {
            return position + ", done in " + Duration(Elapsed);
        }

        return Remaining is { } left
            ? position + ", " + Duration(Elapsed) + " elapsed, about " + Duration(left) + " left"
            : position + ", " + Duration(Elapsed) + " elapsed";
    }

    /// <summary>Tenths below ten seconds (a fast stage is not "0 s"), whole seconds, then minutes and hours.</summary>
    public static string Duration(TimeSpan span)
    {
        var seconds = Math.Max(0, span.TotalSeconds);
        if (seconds < 9.95)
        {
            return seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        }

        var whole = (long)Math.Round(seconds, MidpointRounding.AwayFromZero);
        if (whole < 60)
        {
            return FormattableString.Invariant($"{whole} s");
        }

        if (whole < 3600)
        {
            return whole % 60 == 0 ? FormattableString.Invariant($"{whole / 60} min") : FormattableString.Invariant($"{whole / 60} min {whole % 60} s");
        }

        var minutes = (whole + 30) / 60;
        return minutes % 60 == 0 ? FormattableString.Invariant($"{minutes / 60} h") : FormattableString.Invariant($"{minutes / 60} h {minutes % 60} min");
    }

    private static string Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture);
}
