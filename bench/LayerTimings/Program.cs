using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ModelPrune.Bench.LayerTimings;

/// <summary>
/// <c>check [--cores FILE] [--steps PREFIX]</c>: verify the steps against the reference and measure cores busy per
/// step; PREFIX (e.g. gptq) limits both to the steps whose id starts with it.
/// <c>bench [--artifacts DIR] [BenchmarkDotNet arguments, e.g. --filter *Wanda*]</c>: time them.
/// LAYER_BATCH_ROWS sets the calibration rows per ORT run (default 128).
/// </summary>
public static class Program
{
    public static int BatchRows { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("LAYER_BATCH_ROWS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var rows) && rows > 0 ? rows : 128;

    public static int Main(string[] args)
    {
        var mode = args.FirstOrDefault();
        var rest = args.Skip(1).ToList();
        switch (mode)
        {
            case "check":
                return LayerChecks.Run(BatchRows, TakeOption(rest, "--cores"), TakeOption(rest, "--steps"));
            case "bench":
                var artifacts = TakeOption(rest, "--artifacts") ?? Path.Combine("artifacts", "bench", "layers");
                var summary = BenchmarkRunner.Run(typeof(LayerBenchmarks), Config(artifacts), rest.ToArray());
                return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
            default:
                Console.Error.WriteLine("usage: LayerTimings check [--cores FILE] [--steps PREFIX] | bench [--artifacts DIR] [BenchmarkDotNet arguments]");
                return 2;
        }
    }

    /// <summary>
    /// In-process, so that the process's DOTNET_PROCESSOR_COUNT (set by bench/layers.sh) is the one measured,
    /// and nothing is generated and built per run. A short job: the steps run from 50 µs to seconds, and the
    /// machine is shared, so the median of a few iterations is what the table reports.
    /// </summary>
    private static IConfig Config(string artifacts)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(7)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount}t"));
        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(JsonExporter.Full, MarkdownExporter.GitHub)
            .WithArtifactsPath(artifacts);
    }

    private static string? TakeOption(List<string> args, string name)
    {
        var index = args.IndexOf(name);
        if (index < 0 || index + 1 >= args.Count) return null;
        var value = args[index + 1];
        args.RemoveRange(index, 2);
        return value;
    }
}
