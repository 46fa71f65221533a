using System.Diagnostics;
using System.Globalization;

namespace SentenceEmbeddings;

/// <summary>
/// How much of the machine went to work other than this process while something was measured (Linux only): the
/// CPU time every process used (/proc/stat) less this process's own, and the time the hypervisor gave the cores to
/// other guests (steal), each in cores (CPU seconds per wall second). On a 2-core machine running a 2-thread
/// benchmark, anything above a few hundredths of a core ran beside the measurement and slowed it.
/// </summary>
internal sealed class MachineLoad
{
    private const string ProcStat = "/proc/stat";
    // USER_HZ, the unit of /proc/stat: 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;
    private const double MinSeconds = 1;

    private readonly (long Busy, long Steal)? _start;
    private readonly TimeSpan _ownStart;
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    private MachineLoad()
    {
        _start = ReadTicks();
        _ownStart = Process.GetCurrentProcess().TotalProcessorTime;
    }

    public static MachineLoad Start() => new();

    /// <summary>Cores busy with other processes and cores stolen since <see cref="Start"/>; null without /proc/stat or after less than a second.</summary>
    public (double OtherCores, double StealCores)? Stop()
    {
        var end = ReadTicks();
        var own = (Process.GetCurrentProcess().TotalProcessorTime - _ownStart).TotalSeconds;
        var seconds = _wall.Elapsed.TotalSeconds;
        // /proc/stat counts in 10 ms ticks: over less than a second the difference says little.
        if (_start is not { } start || end is not { } stop || seconds < MinSeconds) return null;
        var busy = (stop.Busy - start.Busy) / TicksPerSecond;
        // Tick rounding can make the difference slightly negative on an idle machine.
        return (Math.Max(0, busy - own) / seconds, (stop.Steal - start.Steal) / TicksPerSecond / seconds);
    }

    /// <summary>The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...</summary>
    private static (long Busy, long Steal)? ReadTicks()
    {
        if (!File.Exists(ProcStat)) return null;
        var fields = File.ReadLines(ProcStat).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu") return null;
        long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7), Field(8));
    }
}
