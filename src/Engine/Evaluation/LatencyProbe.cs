using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Times two sessions on one batch in turns (A then B, then B then A, ...), so that drift in machine load and caches
/// favours neither; the median of each resists the odd slow run (a GC, another process).
/// </summary>
internal static class LatencyProbe
{
    public const int WarmupRuns = 2;
    public const int TimedRuns = 10;

    public static (double First, double Second) InTurns(InferenceSession first, InferenceSession second,
        IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames)
    {
        using var runOptions = new RunOptions();
        double Run(InferenceSession session)
        {
            var watch = Stopwatch.StartNew();
            using (session.Run(runOptions, inputNames, inputs, outputNames))
            {
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        for (var run = 0; run < WarmupRuns; run++)
        {
            Run(first);
            Run(second);
        }

        var (a, b) = (new double[TimedRuns], new double[TimedRuns]);
        for (var run = 0; run < TimedRuns; run++)
        {
            if (run % 2 == 0)
            {
                a[run] = Run(first);
                b[run] = Run(second);
            }
            else
            {
                b[run] = Run(second);
                a[run] = Run(first);
            }
        }

        return (Median(a), Median(b));
    }

    private static double Median(double[] times)
    {
        Array.Sort(times);
        return Math.Round((times[(times.Length - 1) / 2] + times[times.Length / 2]) / 2, 3);
    }
}
