using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Evaluation;

/// <summary>Times repeated runs of a session on one batch; the median resists the odd slow run (a GC, another process).</summary>
internal static class LatencyProbe
{
    public const int WarmupRuns = 2;
    public const int TimedRuns = 10;

    public static double MedianMilliseconds(InferenceSession session, IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames)
    {
        using var runOptions = new RunOptions();
        var times = new double[TimedRuns];
        for (var run = -WarmupRuns; run < TimedRuns; run++)
        {
            var watch = Stopwatch.StartNew();
            using (session.Run(runOptions, inputNames, inputs, outputNames))
            {
            }

            if (run >= 0) times[run] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        var median = (times[(TimedRuns - 1) / 2] + times[TimedRuns / 2]) / 2;
        return Math.Round(median, 3);
    }
}
