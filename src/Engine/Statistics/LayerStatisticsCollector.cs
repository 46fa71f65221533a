using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Runs a model over calibration batches once and returns, per prunable weight, the statistics of the
/// input it multiplies. The reductions run inside ONNX Runtime (see <see cref="StatisticsGraphBuilder"/>),
/// so memory stays at O(d²) per layer however many tokens the batches hold.
/// </summary>
internal sealed class LayerStatisticsCollector
{
    private readonly ExecutionDevice _device;

    public LayerStatisticsCollector(ExecutionDevice? device = null) => _device = device ?? ExecutionDevice.Cpu;

    /// <param name="model">Not modified; the statistics nodes go into a copy.</param>
    /// <param name="gram">Whether to also collect XᵀX (SparseGPT) besides Σx² (Wanda).</param>
    /// <param name="batches">Model input name → value, one dictionary per batch; the caller owns and disposes the values.</param>
    /// <param name="displayFile">The model file named in errors.</param>
    /// <param name="paddingMask">The input whose zeros mark padded positions to leave out (<see cref="PaddingMask"/>), or null.</param>
    public LayerStatisticsResult Collect(
        global::Onnx.ModelProto model,
        IReadOnlyList<PrunableWeight> weights,
        bool gram,
        IEnumerable<IReadOnlyDictionary<string, OrtValue>> batches,
        string displayFile,
        string? paddingMask = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var (requests, skipped, notes) = Plan(model, weights, gram, displayFile);
        if (requests.Count == 0)
        {
            return new LayerStatisticsResult(Array.Empty<LayerStatistics>(), skipped, notes, _device.Name, 0);
        }

        var statisticsModel = StatisticsGraphBuilder.Build(model, requests, paddingMask);
        var accumulators = AccumulatorsFor(statisticsModel);
        int batchCount;
        using (var session = Open(statisticsModel.Model, displayFile))
        {
            batchCount = Run(session, statisticsModel, accumulators, batches, null, null, displayFile);
        }

        return Result(statisticsModel, accumulators, skipped, notes, batchCount, displayFile);
    }

    /// <summary>
    /// The bytes of one set of double-precision sums for every layer <see cref="Collect"/> would measure: what one pass
    /// over the whole model holds at once.
    /// </summary>
    public long SumBytes(global::Onnx.ModelProto model, IReadOnlyList<PrunableWeight> weights, bool gram, string displayFile) =>
        Plan(model, weights, gram, displayFile).Requests
            .GroupBy(r => r.Layer.ViewKey, StringComparer.Ordinal)
            .Sum(g => StatisticsBlocks.SumBytes(g.First().Layer, gram));

    /// <summary>
    /// The budget to collect <paramref name="weights"/>' statistics block by block with, or null when one pass will do.
    /// One pass holds every layer's XᵀX at once (fitted and, with <paramref name="heldOut"/>, held-out), so past the
    /// budget (<see cref="StatisticsBlocks.BudgetFor"/>, or <paramref name="budgetBytes"/> where a test lowers it) they
    /// go block by block (see docs/engine.md, "Memory"). A search's memo (<paramref name="memoized"/>) serves one pass's
    /// statistics to every probe, which block by block cannot, so a search keeps the one pass up to a larger limit.
    /// </summary>
    public long? BlockBudget(global::Onnx.ModelProto model, IReadOnlyList<PrunableWeight> weights, bool heldOut, bool memoized,
        long? budgetBytes, string displayFile)
    {
        var budget = budgetBytes ?? StatisticsBlocks.BudgetFor(weights.Sum(w => w.Tensor.ElementCount) * sizeof(float));
        var sums = SumBytes(model, weights, gram: true, displayFile) * (heldOut ? 2 : 1);
        return sums > budget && (!memoized || budgetBytes is not null || sums > StatisticsBlocks.SearchMemoLimitBytes) ? budget : null;
    }

    /// <summary>
    /// The statistics of <paramref name="weights"/> block after block (<see cref="StatisticsBlocks"/>), each block
    /// measured by its own part of the model (<see cref="GraphSlicer"/>) and handed to <paramref name="measured"/>: ONNX
    /// Runtime holds one part's weights and the engine one block's sums at a time. <paramref name="measured"/> may prune a
    /// block's weights: no later part reads them, so every block's statistics are those of the dense model, as
    /// <see cref="Collect"/>'s. A callback, not an enumerator: an iterator's state holds the block it yielded until the
    /// next one is ready, which kept two blocks' sums alive (MiniLM: 2 × 45 MB).
    /// </summary>
    /// <param name="fit">Enumerates the calibration batches the methods fit, once per block.</param>
    /// <param name="heldOut">Enumerates the held-out batches, once per block; null when none are held out.</param>
    /// <param name="budgetBytes">The most bytes of sums (fitted and held-out together) a block may hold, unless one activation alone needs more.</param>
    public void CollectInBlocks(
        global::Onnx.ModelProto model,
        IReadOnlyList<PrunableWeight> weights,
        bool gram,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>> fit,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>>? heldOut,
        string displayFile,
        string? paddingMask,
        long budgetBytes,
        Action<StatisticsBlock> measured)
    {
        var (requests, skipped, notes) = Plan(model, weights, gram, displayFile);
        var blocks = requests.Count == 0 ? Array.Empty<IReadOnlyList<StatisticsRequest>>() : StatisticsBlocks.Plan(model, requests, heldOut is null ? 1 : 2, budgetBytes);
        CollectInParts(model, blocks, readsBlockWeightsFirst: true, fit, heldOut, skipped, notes, displayFile, paddingMask, measured);
    }

    /// <summary>
    /// Sequential calibration on the model cut into parts: the statistics of each round of <see cref="LayerRounds"/> come
    /// from its own part, which runs only the nodes between the previous round's activations and this round's, on the
    /// values earlier parts carried. A round's weights are read first by the next part, so when <paramref name="measured"/>
    /// prunes them, every later round is measured on the outputs of the pruned layers before it, as when each round runs
    /// the whole model, but the model runs about once in all rather than once per round. Exact only where no node reads a
    /// round's weight before that round (<see cref="LayerRounds.ReadBeforeTheirRound"/> is empty).
    /// </summary>
    /// <param name="rounds">The weights in rounds, earliest first (<see cref="LayerRounds.Plan"/>).</param>
    public void CollectInRounds(
        global::Onnx.ModelProto model,
        IReadOnlyList<IReadOnlyList<PrunableWeight>> rounds,
        bool gram,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>> fit,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>>? heldOut,
        string displayFile,
        string? paddingMask,
        Action<StatisticsBlock> measured)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        var (requests, skipped, notes) = Plan(model, rounds.SelectMany(r => r).ToArray(), gram, displayFile);
        var roundOf = LayerRounds.RoundOf(rounds);
        var blocks = requests.GroupBy(r => roundOf[r.Layer.WeightName]).OrderBy(g => g.Key).Select(g => (IReadOnlyList<StatisticsRequest>)g.ToArray()).ToArray();
        CollectInParts(model, blocks, readsBlockWeightsFirst: false, fit, heldOut, skipped, notes, displayFile, paddingMask, measured);
    }

    /// <param name="readsBlockWeightsFirst">Whether each block's part also runs the nodes that read the block's weights, so that
    /// pruning them changes no later block's statistics (<see cref="CollectInBlocks"/>), or leaves them to the next part, so
    /// that it does (<see cref="CollectInRounds"/>).</param>
    private void CollectInParts(
        global::Onnx.ModelProto model,
        IReadOnlyList<IReadOnlyList<StatisticsRequest>> blocks,
        bool readsBlockWeightsFirst,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>> fit,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>>? heldOut,
        IReadOnlyList<SkippedLayer> skipped,
        IReadOnlyDictionary<string, string> notes,
        string displayFile,
        string? paddingMask,
        Action<StatisticsBlock> measured)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(measured);
        if (blocks.Count == 0)
        {
            measured(new StatisticsBlock(new LayerStatisticsResult(Array.Empty<LayerStatistics>(), skipped, notes, _device.Name, 0), null));
            return;
        }

        var pass = new BlockPass(model, blocks, new GraphSlicer(model, blocks.SelectMany(b => b).Select(r => r.Layer.ActivationName)), fit, heldOut,
            skipped, notes, paddingMask, displayFile, readsBlockWeightsFirst);
        using (pass)
        {
            for (var b = 0; b < blocks.Count; b++)
            {
                if (b > 0)
                {
                    // The previous block's sums, a language model's hundreds of megabytes of XᵀX, and its pruning's working
                    // arrays are garbage now. Without a collection here the GC waits for its large-object budget and the
                    // peak holds several blocks' worth; an aggressive one also decommits what it frees, where a normal one
                    // kept 60–80 MB committed beyond the live heap on MiniLM.
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                }

                MeasureBlock(pass, b, measured);
            }
        }
    }

    /// <summary>One block: its own method, so that its sums are no longer referenced once it returns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MeasureBlock(BlockPass pass, int b, Action<StatisticsBlock> measured)
    {
        var later = pass.Blocks.Skip(b + 1).SelectMany(r => r).Select(r => r.Layer.ActivationName).ToHashSet(StringComparer.Ordinal);
        var statisticsModel = StatisticsGraphBuilder.Build(pass.Model, pass.Blocks[b], pass.PaddingMask);
        var readNow = pass.ReadsBlockWeightsFirst ? pass.Blocks[b].Select(r => r.Layer.WeightName) : Array.Empty<string>();
        var slice = pass.Slicer.Next(statisticsModel, readNow, later, pass.CarriedFit.ElementTypes);
        var fitSums = AccumulatorsFor(statisticsModel);
        var heldOutSums = pass.HeldOut is null ? null : AccumulatorsFor(statisticsModel);
        int fitBatches, heldOutBatches = 0;
        using (var session = Open(slice.Model, pass.DisplayFile))
        {
            fitBatches = Run(session, statisticsModel, fitSums, pass.Fit(), slice, pass.CarriedFit, pass.DisplayFile);
            if (pass.HeldOut is not null) heldOutBatches = Run(session, statisticsModel, heldOutSums!, pass.HeldOut(), slice, pass.CarriedHeldOut, pass.DisplayFile);
        }

        bool StillNeeded(string value) => later.Contains(value) || pass.Slicer.StillRead(value);
        pass.CarriedFit.Release(StillNeeded);
        pass.CarriedHeldOut.Release(StillNeeded);
        measured(new StatisticsBlock(
            Result(statisticsModel, fitSums, b == 0 ? pass.Skipped : Array.Empty<SkippedLayer>(), pass.Notes, fitBatches, pass.DisplayFile),
            heldOutSums is null ? null : Result(statisticsModel, heldOutSums, Array.Empty<SkippedLayer>(), pass.Notes, heldOutBatches, pass.DisplayFile)));
    }

    /// <summary>What every block of one <see cref="CollectInParts"/> shares, and the values carried from part to part.</summary>
    private sealed record BlockPass(
        global::Onnx.ModelProto Model,
        IReadOnlyList<IReadOnlyList<StatisticsRequest>> Blocks,
        GraphSlicer Slicer,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>> Fit,
        Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>>? HeldOut,
        IReadOnlyList<SkippedLayer> Skipped,
        IReadOnlyDictionary<string, string> Notes,
        string? PaddingMask,
        string DisplayFile,
        bool ReadsBlockWeightsFirst) : IDisposable
    {
        public CarriedValues CarriedFit { get; } = new();

        public CarriedValues CarriedHeldOut { get; } = new();

        public void Dispose()
        {
            CarriedFit.Dispose();
            CarriedHeldOut.Dispose();
        }
    }

    /// <summary>The layers that can be measured, those that cannot (with the reason) and the report's notes.</summary>
    private (List<StatisticsRequest> Requests, List<SkippedLayer> Skipped, Dictionary<string, string> Notes) Plan(
        global::Onnx.ModelProto model, IReadOnlyList<PrunableWeight> weights, bool gram, string displayFile)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        var located = LayerInputLocator.Locate(model, weights);
        var skipped = new List<SkippedLayer>(located.Skipped);
        var requests = new List<StatisticsRequest>();
        foreach (var layer in located.Supported)
        {
            if (gram && (long)layer.Groups * layer.Features * layer.Features > Array.MaxLength)
            {
                skipped.Add(new SkippedLayer(layer.WeightName, $"its input width {layer.Features} (× {layer.Groups} groups) is too large for a d×d Gram matrix in one array"));
                continue;
            }

            requests.Add(new StatisticsRequest(layer, gram));
        }

        var notes = requests
            .Where(r => r.Layer.Note is not null)
            .ToDictionary(r => r.Layer.WeightName, r => r.Layer.Note!, StringComparer.Ordinal);
        if (requests.Count > 0)
        {
            var opset = StatisticsGraphBuilder.DefaultOpset(model);
            if (opset < StatisticsGraphBuilder.MinimumOpset)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.ModelNotRunnable,
                    displayFile,
                    $"The model imports ONNX opset {opset}; collecting calibration statistics needs opset {StatisticsGraphBuilder.MinimumOpset} or newer.");
            }
        }

        return (requests, skipped, notes);
    }

    private static Dictionary<string, StatisticsAccumulator> AccumulatorsFor(StatisticsModel statisticsModel)
    {
        var accumulators = new Dictionary<string, StatisticsAccumulator>(StringComparer.Ordinal);
        foreach (var outputs in statisticsModel.Layers)
        {
            if (!accumulators.ContainsKey(outputs.NormsOutput))
            {
                accumulators.Add(outputs.NormsOutput, new StatisticsAccumulator(outputs.Layer.Features, outputs.Layer.Groups, outputs.GramOutput is not null));
            }
        }

        return accumulators;
    }

    private LayerStatisticsResult Result(StatisticsModel statisticsModel, Dictionary<string, StatisticsAccumulator> accumulators,
        IReadOnlyList<SkippedLayer> skipped, IReadOnlyDictionary<string, string> notes, int batchCount, string displayFile)
    {
        if (batchCount == 0)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidRequest, displayFile, "The calibration set holds no batches, so no layer statistics can be collected.");
        }

        var layers = new List<LayerStatistics>(statisticsModel.Layers.Count);
        var handedOut = new HashSet<StatisticsAccumulator>(ReferenceEqualityComparer.Instance);
        foreach (var outputs in statisticsModel.Layers)
        {
            var sums = accumulators[outputs.NormsOutput];

            // Layers that share an activation share sums; each gets its own arrays so that a method
            // scaling one layer's statistics in place cannot change another's.
            var first = handedOut.Add(sums);
            layers.Add(new LayerStatistics(
                outputs.Layer.WeightName,
                sums.Features,
                sums.Tokens,
                first ? sums.NormsSquared : (double[])sums.NormsSquared.Clone(),
                sums.Gram is null ? null : first ? sums.Gram : (double[])sums.Gram.Clone(),
                sums.Groups));
        }

        return new LayerStatisticsResult(layers, skipped, notes, _device.Name, batchCount);
    }

    /// <param name="slice">The part of the model the session runs, or null for the whole statistics model.</param>
    /// <param name="carried">Where the part's carried values come from and go to; with <paramref name="slice"/>.</param>
    private static int Run(
        InferenceSession session,
        StatisticsModel statisticsModel,
        Dictionary<string, StatisticsAccumulator> accumulators,
        IEnumerable<IReadOnlyDictionary<string, OrtValue>> batches,
        GraphSlice? slice,
        CarriedValues? carried,
        string displayFile)
    {
        var outputNames = statisticsModel.OutputNames.Concat(slice?.CarriedOn ?? Array.Empty<string>()).ToArray();
        var targets = statisticsModel.OutputNames.Select(name => TargetOf(name, statisticsModel, accumulators)).ToArray();
        using var runOptions = new RunOptions();
        var batchCount = 0;
        foreach (var batch in batches)
        {
            // One array of pairs keeps names and values in step whatever dictionary type the caller passed.
            var feeds = slice is null
                ? batch.ToArray()
                : slice.FromBatch.Select(name => KeyValuePair.Create(name, batch[name]))
                    .Concat(slice.FromEarlier.Select(name => KeyValuePair.Create(name, carried!.Get(name, batchCount))))
                    .ToArray();
            try
            {
                using var results = session.Run(runOptions, feeds.Select(f => f.Key).ToArray(), feeds.Select(f => f.Value).ToArray(), outputNames);
                var index = 0;
                foreach (var value in results)
                {
                    if (index < targets.Length)
                    {
                        targets[index](value);
                    }
                    else
                    {
                        carried!.Add(outputNames[index], batchCount, value);
                    }

                    index++;
                }
            }
            catch (OnnxRuntimeException e)
            {
                var fed = string.Join(", ", feeds.Select(b => $"{b.Key}: {b.Value.GetTensorTypeAndShape().ElementDataType}[{string.Join(",", b.Value.GetTensorTypeAndShape().Shape)}]"));
                throw new ModelPruneException(
                    DiagnosticCodes.ModelNotRunnable,
                    displayFile,
                    $"ONNX Runtime could not run calibration batch {batchCount + 1} ({fed}) while collecting layer statistics: {e.Message}");
            }

            batchCount++;
        }

        return batchCount;
    }

    private static Action<OrtValue> TargetOf(string outputName, StatisticsModel statisticsModel, Dictionary<string, StatisticsAccumulator> accumulators)
    {
        foreach (var outputs in statisticsModel.Layers)
        {
            var sums = accumulators[outputs.NormsOutput];
            if (outputs.NormsOutput == outputName)
            {
                return sums.AddNorms;
            }

            if (outputs.GramOutput == outputName)
            {
                return sums.AddGram;
            }

            if (outputs.RowsOutput == outputName)
            {
                return sums.AddRows;
            }
        }

        throw new InvalidOperationException($"statistics output '{outputName}' belongs to no layer");
    }

    /// <summary>
    /// A session on the instrumented model, on the model's own tensors (<see cref="SharedTensorSession"/>): on the CPU no
    /// copy of the weights, and ORT parses the graph alone.
    /// </summary>
    private InferenceSession Open(global::Onnx.ModelProto model, string displayFile)
    {
        OnnxRuntimeWarmup.Wait();
        using var options = OnnxSessionOptions.ForOnePass();
        try
        {
            _device.Configure(options);
            return SharedTensorSession.Open(model, options, _device);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelNotRunnable,
                displayFile,
                $"ONNX Runtime cannot load the model with the layer-statistics outputs added (device {_device.Name}): {e.Message}");
        }
    }
}
