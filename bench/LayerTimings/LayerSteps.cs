using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Pruning.Wanda;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Bench.LayerTimings;

/// <summary>
/// The timed steps of one layer, each a call into the engine's public API, with the inputs they need
/// prepared once (statistics from the engine's own ORT path, H = 2·XᵀX as the pipeline forms it). The
/// benchmarks and the check mode call the same methods, so what is checked is what is timed.
/// Threads are the process's: <see cref="Environment.ProcessorCount"/> (DOTNET_PROCESSOR_COUNT) sets ORT's
/// intra-op threads and the engine's Parallel.For, and the linear algebra gets the same count.
/// </summary>
internal sealed class LayerSteps : IDisposable
{
    public const double Sparsity = 0.5;

    private static readonly SparsityPattern TwoOfFour = new(2, 4);

    // The reference's GPTQ cases (quant README section 2): int8 is symmetric, int4 asymmetric.
    private static readonly QuantizationGrid Int8PerChannel = new(8, Symmetric: true);
    private static readonly QuantizationGrid Int4PerChannel = new(4, Symmetric: false);
    private static readonly QuantizationGrid Int4Group128 = new(4, Symmetric: false, GroupSize: 128);

    private readonly LayerStatisticsCollector _collector = new();
    private readonly float[] _H;
    private readonly float[] _dampedH;
    private readonly float[] _factor;
    private readonly float[] _pruned;
    private readonly bool[] _mask;

    public LayerSteps(string layer, int batchRows)
    {
        Data = LayerData.Load(layer, batchRows);
        Algebra = new ManagedLinearAlgebra(Environment.ProcessorCount);
        Statistics = CollectSparseGpt();

        var d = Data.In;
        var gram = Statistics.Gram ?? throw new InvalidOperationException("the collector returned no Gram matrix");
        _H = new float[gram.Length];
        for (var i = 0; i < _H.Length; i++) _H[i] = (float)(2 * gram[i]);

        // The same dampening SparseGptPruner adds before its factorisation: 1 % of mean(diag H).
        var meanDiagonal = 0.0;
        for (var j = 0; j < d; j++) meanDiagonal += _H[(j * d) + j];
        var damp = (float)(SparseGptPruner.DefaultPercDamp * meanDiagonal / d);
        _dampedH = (float[])_H.Clone();
        for (var j = 0; j < d; j++) _dampedH[(j * d) + j] += damp;

        _factor = new float[_H.Length];
        _pruned = new float[Data.W.Length];
        _mask = new bool[Data.W.Length];
    }

    public LayerData Data { get; }

    public ManagedLinearAlgebra Algebra { get; }

    /// <summary>Σx² and XᵀX from one untimed collection; the prune steps start from them.</summary>
    public LayerStatistics Statistics { get; }

    /// <summary>The last Wanda selection (true = pruned), [out, in].</summary>
    public bool[] Mask => _mask;

    /// <summary>The last SparseGPT result Ŵ, [out, in].</summary>
    public float[] Pruned => _pruned;

    /// <summary>The last factor: the upper Cholesky factor of (H + damp·I)⁻¹, [in, in].</summary>
    public float[] Factor => _factor;

    /// <summary>Wanda's statistics only (Σx²). The pipeline asks for XᵀX for Wanda too, to report each layer's error.</summary>
    public LayerStatistics CollectWanda() => Collect(Data.Batches, gram: false);

    public LayerStatistics CollectSparseGpt() => Collect(Data.Batches, gram: true);

    /// <summary>Collect on one row: the statistics graph, its serialisation and the ORT session, nearly without data.</summary>
    public LayerStatistics CollectSetupOnly() => Collect(Data.FirstRow, gram: true);

    /// <summary>
    /// The selection only (SelectPruned leaves W alone, so no copy is timed); Prune runs the same scoring
    /// and selection and then zeroes the masked weights.
    /// </summary>
    public void WandaUnstructured() =>
        WandaPruner.SelectPruned(Data.W, Data.Out, Data.In, Statistics.NormsSquared, SparsityPattern.Unstructured, Sparsity, _mask);

    public void WandaTwoOfFour() =>
        WandaPruner.SelectPruned(Data.W, Data.Out, Data.In, Statistics.NormsSquared, TwoOfFour, Sparsity, _mask);

    /// <summary>The whole solve (dampening, factorisation, blocked OBS loop); the copy of W it starts from is ~0.1 % of it.</summary>
    public SparseGptResult SparseGptUnstructured()
    {
        Array.Copy(Data.W, _pruned, _pruned.Length);
        return SparseGptPruner.Prune(_pruned, Data.Out, Data.In, _H, Sparsity, algebra: Algebra);
    }

    public SparseGptResult SparseGptTwoOfFour()
    {
        Array.Copy(Data.W, _pruned, _pruned.Length);
        return SparseGptPruner.Prune(_pruned, Data.Out, Data.In, _H, Sparsity, TwoOfFour.N, TwoOfFour.M, algebra: Algebra);
    }

    /// <summary>
    /// SparseGPT's O(d³) sub-step as the pruner runs it: cholesky, cholesky_inverse, cholesky upper of the
    /// damped H, on the same <see cref="IDenseLinearAlgebra"/> instance. Starts from a copy of the damped H.
    /// </summary>
    public void SparseGptFactorisation()
    {
        var d = Data.In;
        Array.Copy(_dampedH, _factor, _factor.Length);
        if (!Algebra.CholeskyUpper(_factor, d)) throw new InvalidOperationException($"{Data.Name}: H + damp·I is not positive definite");
        Algebra.CholeskyInverse(_factor, d);
        if (!Algebra.CholeskyUpper(_factor, d)) throw new InvalidOperationException($"{Data.Name}: (H + damp·I)⁻¹ is not positive definite");
    }

    /// <summary>
    /// The whole GPTQ quantize call given H, as the pipeline makes it: find_params, dampening, factorisation and
    /// the blocked column sweep. W is copied inside (the engine leaves the caller's W alone), as the reference
    /// clones it; H is the same 2·XᵀX the SparseGPT steps use. GptqQuantizer is internal: the engine project's
    /// InternalsVisibleTo names this program.
    /// </summary>
    public GptqResult GptqInt8PerChannel() => GptqQuantizer.Quantize(Data.W, Data.Out, Data.In, _H, Int8PerChannel, algebra: Algebra);

    public GptqResult GptqInt4PerChannel() => GptqQuantizer.Quantize(Data.W, Data.Out, Data.In, _H, Int4PerChannel, algebra: Algebra);

    public GptqResult GptqInt4Group128() => GptqQuantizer.Quantize(Data.W, Data.Out, Data.In, _H, Int4Group128, algebra: Algebra);

    public void Dispose() => Data.Dispose();

    private LayerStatistics Collect(IEnumerable<IReadOnlyDictionary<string, Microsoft.ML.OnnxRuntime.OrtValue>> batches, bool gram) =>
        _collector.Collect(Data.Model, Data.Weights, gram, batches, Data.Name).Layers.Single();
}
