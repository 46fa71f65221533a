using System.Globalization;

namespace SentenceEmbeddings;

/// <summary>
/// The <c>latency</c> command's arguments: two models, the batch size, how many timed rounds (at least
/// <see cref="Runs"/>, and more until <see cref="MinSeconds"/> have passed: a model that runs in microseconds
/// needs thousands of rounds before a slow spell of the machine is a small part of them), where the inputs
/// come from (MiniLM tokens of a sentence file, or random floats of the models' input shapes) and, optionally,
/// a folder for ONNX Runtime's optimised graphs of both models. <see cref="SharedThreadPool"/> false
/// (<c>--thread-pool per-session</c>) gives each session its own pool, to show what that does to the timing.
/// </summary>
internal sealed record LatencyOptions(
    string BaselinePath,
    string CandidatePath,
    int BatchSize,
    int Runs,
    double MinSeconds,
    int WarmupRuns,
    int Threads,
    string? SentencesPath,
    string? OptimizedGraphsFolder,
    bool SharedThreadPool,
    bool TabSeparated)
{
    // Fewer timed runs than this and one slow run moves the median; the brief for these benchmarks asks for ≥ 20.
    public const int MinRuns = 20;

    /// <summary>The options after "latency", or null (with the reason on stderr) when they do not parse.</summary>
    public static LatencyOptions? Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || args[0].StartsWith("--", StringComparison.Ordinal) || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            return Fail("latency needs two models before its options");
        }

        var options = new LatencyOptions(args[0], args[1], BatchSize: 1, Runs: 30, MinSeconds: 0, WarmupRuns: 5, Threads: 2, null, null, SharedThreadPool: true, TabSeparated: false);
        for (var i = 2; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--tsv")
            {
                options = options with { TabSeparated = true };
                continue;
            }

            if (i + 1 >= args.Count) return Fail($"{name} needs a value");
            var value = args[++i];
            switch (name)
            {
                case "--batch" when Positive(value) is { } batch: options = options with { BatchSize = batch }; break;
                case "--runs" when Positive(value) is { } runs && runs >= MinRuns: options = options with { Runs = runs }; break;
                case "--min-seconds" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds):
                    options = options with { MinSeconds = seconds };
                    break;
                case "--warmup" when Positive(value) is { } warmup: options = options with { WarmupRuns = warmup }; break;
                case "--threads" when Positive(value) is { } threads: options = options with { Threads = threads }; break;
                case "--sentences": options = options with { SentencesPath = value }; break;
                case "--optimized-graphs": options = options with { OptimizedGraphsFolder = value }; break;
                case "--thread-pool" when value is "shared" or "per-session": options = options with { SharedThreadPool = value == "shared" }; break;
                default: return Fail($"{name} {value}: unknown option or bad value (--runs needs at least {MinRuns})");
            }
        }

        return options;
    }

    private static int? Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? number : null;

    private static LatencyOptions? Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return null;
    }
}
