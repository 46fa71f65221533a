using System.Diagnostics;
using System.Globalization;

namespace SentenceEmbeddings;

/// <summary>
/// ONNX Runtime CPU latency of two models (dense and pruned) on the same batch, measured in one process and
/// interleaved: every round runs both, in alternating order (AB, BA, …), so a slow spell of the machine, the
/// order and the caches touch both alike. It reports the median time of each model and the median of the rounds'
/// speed-ups (first model's time over the second's, per round). Both sessions
/// run on one shared intra-op thread pool unless asked otherwise (see <see cref="TimedSession"/> for why).
/// </summary>
internal static class LatencyCommand
{
    private const int RandomSeed = 42;

    public static int Run(LatencyOptions options)
    {
        if (options.SharedThreadPool) TimedSession.UseSharedThreadPool(options.Threads);
        using var baseline = new TimedSession(options.BaselinePath, options.Threads);
        using var candidate = new TimedSession(options.CandidatePath, options.Threads);
        using var inputs = options.SentencesPath is { } sentencesPath
            ? LatencyInputs.FromSentences(SentenceFile.Read(sentencesPath), options.BatchSize, baseline.InputMetadata)
            : LatencyInputs.Random(baseline.InputMetadata, options.BatchSize, RandomSeed);

        var sessions = new[] { baseline, candidate };
        var times = new[] { new List<double>(), new List<double>() };
        MachineLoad? load = null;
        var timed = new Stopwatch();
        for (var round = -options.WarmupRuns; round < options.Runs || timed.Elapsed.TotalSeconds < options.MinSeconds; round++)
        {
            if (round == 0)
            {
                load = MachineLoad.Start();
                timed.Start();
            }

            var first = round & 1;
            foreach (var which in new[] { first, 1 - first })
            {
                var milliseconds = sessions[which].RunMilliseconds(inputs);
                if (round >= 0) times[which].Add(milliseconds);
            }
        }

        var contention = load!.Stop();
        var before = TimingSummary.Of(times[0]);
        var after = TimingSummary.Of(times[1]);
        // The speed-up of each round (its two runs are neighbours in time), then their median: a slow spell of the
        // machine that spans a round slows both of its runs, so it cancels here where it only blurs the two medians.
        var speedUp = TimingSummary.Of(times[0].Zip(times[1], (dense, pruned) => dense / pruned).ToArray());
        var invariant = CultureInfo.InvariantCulture;
        var graphs = options.OptimizedGraphsFolder is { } folder ? DescribeOptimizedGraphs(options, folder) : null;
        if (options.TabSeparated)
        {
            // For bench/structured.sh: batch, sequence (0 for random inputs), runs, median ms before/after, median
            // speed-up per round with its quartiles, cores busy with other processes and stolen during the timed
            // rounds ("n/a" without /proc/stat), and (with --optimized-graphs) how the optimised graphs' operators differ.
            Console.WriteLine(string.Create(invariant,
                $"{options.BatchSize}\t{inputs.SequenceLength}\t{before.Runs}\t{before.Median:F3}\t{after.Median:F3}\t{speedUp.Median:F3}\t{speedUp.Lower:F3}\t{speedUp.Upper:F3}\t{Cores(contention?.OtherCores)}\t{Cores(contention?.StealCores)}\t{graphs}"));
            return 0;
        }

        Console.WriteLine($"inputs: {inputs.Description}; {options.Threads} intra-op threads ({(options.SharedThreadPool ? "one pool shared by both sessions" : "a pool per session")}), ORT_ENABLE_ALL, {options.WarmupRuns} warm-up + {before.Runs} timed rounds each");
        Console.WriteLine(string.Create(invariant, $"  {Path.GetFileName(options.BaselinePath)}: median {before.Median:F3} ms (quartiles {before.Lower:F3}–{before.Upper:F3})"));
        Console.WriteLine(string.Create(invariant, $"  {Path.GetFileName(options.CandidatePath)}: median {after.Median:F3} ms (quartiles {after.Lower:F3}–{after.Upper:F3})"));
        Console.WriteLine(string.Create(invariant, $"  speed-up {speedUp.Median:F3}x (median of the rounds' speed-ups; quartiles {speedUp.Lower:F3}–{speedUp.Upper:F3}; ratio of the medians {before.Median / after.Median:F3})"));
        if (contention is { } busy) Console.WriteLine(string.Create(invariant, $"  meanwhile other processes used {busy.OtherCores:F2} cores and other guests {busy.StealCores:F2} (steal)"));
        if (graphs is not null) Console.WriteLine($"  ORT's optimised graphs, pruned against dense: {graphs}");
        return 0;
    }

    private static string Cores(double? cores) => cores is { } value ? value.ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Opens both models once more with ORT writing its optimised graphs, and compares their operators.</summary>
    private static string DescribeOptimizedGraphs(LatencyOptions options, string folder)
    {
        Directory.CreateDirectory(folder);
        var paths = new[] { options.BaselinePath, options.CandidatePath }.Select((model, index) =>
        {
            var optimized = Path.Combine(folder, $"{index}-{Path.GetFileNameWithoutExtension(model)}.optimized.onnx");
            using (new TimedSession(model, options.Threads, optimized))
            {
            }

            return optimized;
        }).ToArray();
        return GraphOperators.Difference(GraphOperators.Count(paths[0]), GraphOperators.Count(paths[1]));
    }
}
