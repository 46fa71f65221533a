using BenchmarkDotNet.Attributes;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Bench.LayerTimings;

/// <summary>
/// One benchmark per step and reference layer. The thread count is the process's (see <see cref="LayerSteps"/>),
/// so bench/layers.sh runs this once per count; the job id names it.
/// </summary>
public class LayerBenchmarks
{
    private LayerSteps? _steps;

    public static IEnumerable<string> Layers => ReferenceFolder.Layers;

    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = string.Empty;

    private LayerSteps Steps => _steps ?? throw new InvalidOperationException("GlobalSetup has not run");

    [GlobalSetup]
    public void Setup() => _steps = new LayerSteps(Layer, Program.BatchRows);

    [GlobalCleanup]
    public void Cleanup()
    {
        _steps?.Dispose();
        _steps = null;
    }

    [Benchmark(Description = "stats_wanda")]
    public object StatsWanda() => Steps.CollectWanda();

    [Benchmark(Description = "stats_sparsegpt")]
    public object StatsSparseGpt() => Steps.CollectSparseGpt();

    [Benchmark(Description = "stats_setup")]
    public object StatsSetup() => Steps.CollectSetupOnly();

    [Benchmark(Description = "wanda_unstructured50")]
    public void WandaUnstructured50() => Steps.WandaUnstructured();

    [Benchmark(Description = "wanda_2of4")]
    public void WandaTwoOfFour() => Steps.WandaTwoOfFour();

    [Benchmark(Description = "sparsegpt_unstructured50")]
    public object SparseGptUnstructured50() => Steps.SparseGptUnstructured();

    [Benchmark(Description = "sparsegpt_2of4")]
    public object SparseGptTwoOfFour() => Steps.SparseGptTwoOfFour();

    [Benchmark(Description = "sparsegpt_factorisation")]
    public void SparseGptFactorisation() => Steps.SparseGptFactorisation();

    [Benchmark(Description = "gptq_int8pc")]
    public object GptqInt8PerChannel() => Steps.GptqInt8PerChannel();

    [Benchmark(Description = "gptq_int4pc")]
    public object GptqInt4PerChannel() => Steps.GptqInt4PerChannel();

    [Benchmark(Description = "gptq_int4g128")]
    public object GptqInt4Group128() => Steps.GptqInt4Group128();
}
