using System.Diagnostics;
using System.Globalization;

namespace ModelPrune.Bench.LayerTimings;

/// <summary>
/// How many threads a step really ran on. DOTNET_PROCESSOR_COUNT only changes what the runtime reports, not
/// the affinity, so this is the check that a "1 thread" run does not quietly use the second core:
/// <list type="bullet">
/// <item>cores busy: process CPU time (all threads: ORT's pool, the .NET thread pool, the GC) over wall time.
/// On a shared machine this drops below the thread count when other processes take the cores.</item>
/// <item>working threads: threads of this process (/proc/self/task) that got at least 10 % of the step's
/// CPU time. That does not depend on the machine's load.</item>
/// </list>
/// </summary>
internal static class ThreadUse
{
    private const double WorkingShare = 0.10;

    /// <summary>Runs <paramref name="step"/> until at least <paramref name="minimumWall"/> has passed (CPU time is counted in 10 ms ticks).</summary>
    public static (double MillisecondsPerRun, double CoresBusy, int WorkingThreads, int Runs) Measure(Action step, TimeSpan minimumWall)
    {
        step();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var ticksBefore = ThreadTicks();
        var watch = Stopwatch.StartNew();
        var runs = 0;
        do
        {
            step();
            runs++;
        }
        while (watch.Elapsed < minimumWall);

        watch.Stop();
        var ticksAfter = ThreadTicks();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        var deltas = ticksAfter.Select(t => t.Value - ticksBefore.GetValueOrDefault(t.Key)).Where(d => d > 0).ToArray();
        var total = deltas.Sum();
        var working = deltas.Count(d => d >= WorkingShare * total);
        return (watch.Elapsed.TotalMilliseconds / runs, cpu.TotalMilliseconds / watch.Elapsed.TotalMilliseconds, working, runs);
    }

    /// <summary>utime + stime of every thread of this process, in clock ticks (fields 14 and 15 of /proc/self/task/tid/stat).</summary>
    private static Dictionary<int, long> ThreadTicks()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var folder in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                // The thread name (field 2) is in parentheses and may hold spaces; count fields after it.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks[int.Parse(Path.GetFileName(folder), CultureInfo.InvariantCulture)] =
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        return ticks;
    }
}
