using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Progress;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Pruning.Wanda;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Wanda and SparseGPT. The calibration set runs once through a copy of the model that ONNX Runtime
/// extends with reduction nodes, so per layer only Σx² and XᵀX (O(d²)) come back, never the activations.
/// By default all layers are measured in that one pass on the dense model ("one-shot"). The reference code
/// instead prunes layer by layer, each layer seeing the inputs the already-pruned layers produce; with
/// <see cref="CalibrationMode.Sequential"/> the layers are pruned in rounds of equal dependency depth
/// (<see cref="LayerRounds"/>), each round measured by the part of the model between it and the round before, on the
/// values that part carried (<see cref="LayerStatisticsCollector.CollectInRounds"/>), so the model runs about once in all.
/// One pass on the dense model is the default because it is cheaper still and a search can reuse its statistics; the
/// price is that later layers do not compensate earlier errors. When one pass's sums would pass the
/// memory budget (a language model's), the one-pass statistics are collected and pruned block by block instead
/// (<see cref="LayerStatisticsCollector.CollectInBlocks"/>), with the same result.
/// </summary>
internal static class CalibratedPruningStage
{
    /// <param name="wholeModelRounds">Sequential rounds each run the whole model even where parts would measure the same
    /// (the tests compare the two).</param>
    public static CalibratedPruning Apply(global::Onnx.ModelProto model, IReadOnlyList<PrunableWeight> selected, PruneSettings settings,
        CalibrationSplit calibration, DiagnosticLog log, string file, StatisticsMemo? memo = null, long? budgetBytes = null, PlannedDataFile? planned = null,
        bool wholeModelRounds = false)
    {
        var batchSize = ModelBatchSize.ForCalibration(ModelInputSignature.FromModel(model));
        var (fit, heldOut) = calibration;
        var collector = new LayerStatisticsCollector(Common.ExecutionDeviceResolver.Shared.Resolve(settings.Device, file));
        var byName = selected.ToDictionary(w => w.Name, StringComparer.Ordinal);
        var paddingMask = PaddingMask.Find(model);
        var rounds = settings.CalibrationMode == CalibrationMode.Sequential
            ? LayerRounds.Plan(model, selected)
            : new[] { selected };

        // Past the budget the one-pass statistics are collected block by block instead, with the same result; sequential
        // rounds measure each round apart already.
        var blockBudget = rounds.Count == 1
            ? collector.BlockBudget(model, selected, heldOut.SampleCount > 0, memoized: memo is not null, budgetBytes, file)
            : null;
        var blockwise = blockBudget is not null;

        // Sequential rounds run on parts of the model cut between them, unless a weight is read before its round is
        // pruned (tied weights), where only running the whole model per round gives later rounds the pruned weight's effect.
        var slicedRounds = rounds.Count > 1 && !wholeModelRounds && LayerRounds.ReadBeforeTheirRound(model, rounds).Count == 0;

        // Allocation compares layers, so it reads every layer's statistics on the dense model; in sequential
        // mode that costs one extra norms-only pass before the rounds.
        IReadOnlyDictionary<string, double>? sparsities = null;
        if ((rounds.Count > 1 || blockwise) && settings.Allocation != LayerAllocation.Uniform)
        {
            sparsities = LayerSparsities(collector.Collect(model, selected, gram: false, fit.OrtBatches(batchSize), file, paddingMask).Layers, byName, settings);
        }

        var results = new Dictionary<PrunableWeight, CalibratedLayerResult>();
        var skipped = new Dictionary<PrunableWeight, string>();
        // A layer mapped from external data moves to a spill file once pruned, rather than being written into its pages.
        using var spill = TensorSpill.ForMapped(selected, planned);
        // Opened after the first statistics pass, so that pass is a stage of its own; in sequential mode the later
        // rounds' passes refresh this stage's line. Skipped layers count as done.
        ProgressStage? progress = null;
        void PruneMeasured(LayerStatisticsResult statistics, IReadOnlyList<LayerStatistics>? heldOutLayers)
        {
            var heldOutStatistics = heldOutLayers?.ToDictionary(l => l.WeightName, StringComparer.Ordinal);
            progress ??= ModelProgress.Begin("prune", "layer", selected.Count);
            foreach (var layer in statistics.Skipped)
            {
                var weight = byName[layer.WeightName];
                skipped[weight] = layer.Reason;
                progress.Advance();
                log.Warn(DiagnosticCodes.LayerNotCalibrated, file,
                    $"Layer '{layer.WeightName}' was left dense: {PruningMethodNames.ToName(settings.Method)} cannot observe its input ({layer.Reason}).");
            }

            var roundSparsities = sparsities ?? LayerSparsities(statistics.Layers, byName, settings);
            foreach (var layer in statistics.Layers)
            {
                var weight = byName[layer.WeightName];
                RejectNonFinite(layer, file);
                if (layer.Tokens < layer.Features)
                {
                    log.Warn(DiagnosticCodes.FewCalibrationTokens, file, string.Create(CultureInfo.InvariantCulture,
                        $"Layer '{layer.WeightName}' saw {layer.Tokens} calibration tokens for {layer.Features} input features, so XᵀX is singular and {PruningMethodNames.ToName(settings.Method)} fits the calibration set too closely. Give more calibration samples."));
                }

                results[weight] = PruneLayer(weight, layer, heldOutStatistics?.GetValueOrDefault(layer.WeightName), settings, roundSparsities[layer.WeightName], spill);
                if (results[weight].Dampening is { } used && used > SparseGptPruner.DefaultPercDamp)
                {
                    log.Warn(DiagnosticCodes.DampeningRaised, file, string.Create(CultureInfo.InvariantCulture,
                        $"Layer '{layer.WeightName}': SparseGPT's Cholesky factorisation failed with {SparseGptPruner.DefaultPercDamp:0.##%} dampening, so it was raised to {used:0.##%} of mean(diag H); the layer's input is nearly degenerate. More varied calibration samples help."));
                }

                progress.Advance();
            }
        }

        try
        {
            if (blockwise || slicedRounds)
            {
                // Part after part of the model, each pruned before the next is measured. Blocks: no later part reads a
                // block's weights, so the statistics are still the dense model's. Sequential rounds: the next part reads
                // them, so each round sees what the rounds pruned before it produce. Either way the model runs once in all.
                progress = ModelProgress.Begin("prune", "layer", selected.Count);
                Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>> fitBatches = () => fit.OrtBatches(batchSize, reportProgress: false);
                Func<IEnumerable<IReadOnlyDictionary<string, OrtValue>>>? heldOutBatches =
                    heldOut.SampleCount == 0 ? null : () => heldOut.OrtBatches(batchSize, reportProgress: false);
                void Measured(StatisticsBlock block) => PruneMeasured(block.Fit, block.HeldOut?.Layers);
                if (blockBudget is { } budget)
                {
                    collector.CollectInBlocks(model, selected, gram: true, fitBatches, heldOutBatches, file, paddingMask, budget, Measured);
                }
                else
                {
                    collector.CollectInRounds(model, rounds, gram: true, fitBatches, heldOutBatches, file, paddingMask, Measured);
                }

                // The last block's working arrays (a language model's lm_head: several copies of a 32000 × 2048 weight)
                // would otherwise still be held while the model is written.
                GC.Collect();
            }
            else
            {
                foreach (var round in rounds)
                {
                    // Each round measures its layers on the model as pruned so far (in one-pass mode: the dense model).
                    // Statistics of the dense model are the same for every sparsity: a memo (one-pass mode only, where every
                    // round is the dense model) serves the later prunes of a search.
                    var reusable = memo is not null && rounds.Count == 1;
                    var roundKey = string.Join("\n", round.Select(w => w.Name));
                    var statistics = reusable
                        ? memo!.GetOrCollect("fit\n" + roundKey, () => collector.Collect(model, round, gram: true, fit.OrtBatches(batchSize), file, paddingMask))
                        : collector.Collect(model, round, gram: true, fit.OrtBatches(batchSize), file, paddingMask);
                    var heldOutStatistics = heldOut.SampleCount == 0
                        ? null
                        : (reusable
                            ? memo!.GetOrCollect("held-out\n" + roundKey, () => collector.Collect(model, round, gram: true, heldOut.OrtBatches(batchSize), file, paddingMask))
                            : collector.Collect(model, round, gram: true, heldOut.OrtBatches(batchSize), file, paddingMask)).Layers;
                    PruneMeasured(statistics, heldOutStatistics);
                }
            }

            // Layers the statistics neither measured nor skipped (none expected) must not leave the stage short of its end.
            progress?.Finish();
        }
        finally
        {
            progress?.Dispose();
        }

        return new CalibratedPruning(results, skipped, calibration);
    }

    /// <summary>NaN or infinite statistics would make every score meaningless; they come from the data or the model, not from us.</summary>
    private static void RejectNonFinite(LayerStatistics layer, string file)
    {
        var finite = layer.NormsSquared.All(double.IsFinite) && (layer.Gram is null || layer.Gram.All(double.IsFinite));
        if (!finite)
        {
            throw new ModelPruneException(DiagnosticCodes.NonFiniteCalibrationStatistics, file,
                $"The calibration data drive layer '{layer.WeightName}' to NaN or infinite inputs, so its statistics are unusable. Check the calibration arrays for NaN/inf and for values far outside what the model was trained on.");
        }
    }

    /// <summary>
    /// Uniform: the target everywhere. OWL: each layer's share of outlier Wanda scores shifts it within ±λ of
    /// the target, keeping the parameter-weighted mean at the target (<see cref="OwlAllocator"/>). Global: one
    /// threshold on the Wanda scores of all layers, within each layer's floor and ceiling (<see cref="GlobalScoreAllocator"/>).
    /// </summary>
    private static IReadOnlyDictionary<string, double> LayerSparsities(IReadOnlyList<LayerStatistics> layers,
        IReadOnlyDictionary<string, PrunableWeight> byName, PruneSettings settings)
    {
        if (settings.Allocation == LayerAllocation.Uniform || layers.Count == 0)
        {
            return layers.ToDictionary(l => l.WeightName, l => settings.SparsityOf(l.WeightName), StringComparer.Ordinal);
        }

        double[] allocated;
        if (settings.Allocation == LayerAllocation.Owl)
        {
            var owl = layers.Select(l => new OwlLayer(byName[l.WeightName].Tensor.ElementCount, OwlAllocator.OutlierRatio(Scores(byName[l.WeightName], l)))).ToArray();
            allocated = OwlAllocator.Allocate(owl, settings.Sparsity);
        }
        else
        {
            var scores = layers.Select(l => Scores(byName[l.WeightName], l)).ToArray();
            var total = MagnitudeSelection.CountFor(scores.Sum(s => (long)s.Length), settings.Sparsity);
            var zeros = GlobalScoreAllocator.Allocate(scores, total, settings.MinLayerSparsity, settings.MaxLayerSparsity);
            allocated = zeros.Select((z, i) => scores[i].Length == 0 ? 0 : (double)z / scores[i].Length).ToArray();
        }

        return layers.Select((l, i) => (l.WeightName, allocated[i])).ToDictionary(p => p.WeightName, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>Wanda's S = |W|·‖X‖ of every weight, each grouped Conv group with its own group's norms.</summary>
    private static float[] Scores(PrunableWeight weight, LayerStatistics statistics)
    {
        var (W, rows, cols, _) = RowsView(weight);
        var S = new float[W.Length];
        var rowsPerGroup = rows / statistics.Groups;
        var block = rowsPerGroup * cols;
        for (var g = 0; g < statistics.Groups; g++)
        {
            WandaPruner.Scores(W.AsSpan(g * block, block), rowsPerGroup, cols, statistics.NormsSquared.AsSpan(g * cols, cols), S.AsSpan(g * block, block));
        }

        return S;
    }

    /// <summary>
    /// The methods work on W as [out, in] rows (PyTorch's layout). A MatMul weight is stored [in, out] and is
    /// transposed; a Conv weight [Cout, Cin/g, k...] already is one row per output channel.
    /// </summary>
    private static (float[] W, int Rows, int Cols, bool Transposed) RowsView(PrunableWeight weight)
    {
        var layout = WeightMatrixLayout.Of(weight);
        return (layout.ReadRows(weight), layout.Rows, layout.Cols, layout.Transposed);
    }

    private static CalibratedLayerResult PruneLayer(PrunableWeight weight, LayerStatistics statistics, LayerStatistics? heldOut,
        PruneSettings settings, double sparsity, TensorSpill? spill)
    {
        var (W, rows, cols, transposed) = RowsView(weight);
        var original = (float[])W.Clone();
        var groups = statistics.Groups;
        var rowsPerGroup = rows / groups;

        // N:M groups run along the input channels at each kernel position (as for magnitude, and as sparse
        // tensor cores read a Conv weight), while a Conv row is laid out channel by channel: the methods see
        // the row with its columns reordered position-major so that M consecutive columns are M channels.
        var positions = weight.OpType == "Conv" ? weight.Tensor.Dims.Skip(2).Aggregate(1, (a, b) => a * (int)b) : 1;
        var reorder = settings.Pattern.IsNM && positions > 1 ? new ConvColumnOrder(cols / positions, positions) : null;

        var zeros = MagnitudeSelection.CountFor((long)rows * cols, sparsity);
        var jointGrid = groups == 1 && reorder is null ? JointQuantizationGrid(weight, settings, transposed) : null;
        QuantizedMatrix? quantized = null;
        double? dampening = null;
        for (var g = 0; g < groups; g++)
        {
            var Wg = W.AsSpan(g * rowsPerGroup * cols, rowsPerGroup * cols).ToArray();
            var norms = statistics.NormsSquared.AsSpan(g * cols, cols).ToArray();
            var gram = statistics.Gram!.AsSpan(g * cols * cols, cols * cols);
            if (reorder is not null)
            {
                Wg = reorder.Rows(Wg, rowsPerGroup);
                norms = reorder.Vector(norms);
            }

            if (settings.Method == PruningMethod.SparseGpt)
            {
                var H = new float[cols * cols];
                for (var i = 0; i < H.Length; i++) H[i] = (float)(2 * gram[i]);
                if (reorder is not null) H = reorder.Square(H);
                double used;
                if (jointGrid is { } grid)
                {
                    (var result, quantized) = SparseGptPruner.PruneAndQuantize(Wg, rowsPerGroup, cols, H, sparsity, grid, settings.Pattern.N, settings.Pattern.M);
                    used = result.Dampening;
                }
                else
                {
                    used = SparseGptPruner.Prune(Wg, rowsPerGroup, cols, H, sparsity, settings.Pattern.N, settings.Pattern.M).Dampening;
                }

                dampening = Math.Max(dampening ?? 0, used);
            }
            else if (settings.Allocation == LayerAllocation.Uniform)
            {
                WandaPruner.Prune(Wg, rowsPerGroup, cols, norms, settings.Pattern, sparsity);
            }
            else
            {
                // Allocated sparsities are not multiples of 1/cols, and on narrow layers one weight per row is a
                // big step: the layer's total is rounded to whole weights and the remainder spread one per row
                // over the first rows, so the model-wide total stays on target.
                var perRow = (int)(zeros / rows);
                var longer = (int)Math.Clamp((zeros % rows) - (g * rowsPerGroup), 0, rowsPerGroup);
                WandaPruner.Prune(Wg.AsSpan(0, longer * cols), longer, cols, norms, perRow + 1);
                WandaPruner.Prune(Wg.AsSpan(longer * cols), rowsPerGroup - longer, cols, norms, perRow);
            }

            if (reorder is not null) Wg = reorder.RestoreRows(Wg, rowsPerGroup);
            Wg.CopyTo(W.AsSpan(g * rowsPerGroup * cols));
        }

        weight.Tensor.OverwriteValues(transposed ? Transpose(W, rows, cols) : W, spill);
        return new CalibratedLayerResult(
            LayerOutputError.Relative(original, W, rowsPerGroup, cols, groups, statistics.Gram!),
            heldOut?.Gram is { } heldOutGram ? LayerOutputError.Relative(original, W, rowsPerGroup, cols, groups, heldOutGram) : null,
            dampening,
            statistics.Tokens,
            quantized);
    }

    /// <summary>
    /// SparseGPT with GPTQ quantization asked for prunes and quantizes in one pass (the SparseGPT paper's 50 % + 4-bit),
    /// on the grid the weight will be stored with: a MatMul's as MatMulNBits, anything else int8 per output channel.
    /// Grouped Conv and N:M Conv layers (whose columns the pass sees reordered) are pruned here and quantized afterwards.
    /// </summary>
    private static QuantizationGrid? JointQuantizationGrid(PrunableWeight weight, PruneSettings settings, bool transposed)
    {
        // With Quantize="auto" the layer's own level; a layer the search keeps float is only pruned.
        if (settings.Method != PruningMethod.SparseGpt || settings.Quantization?.ForLayer(weight.Name) is not { Gptq: true } quantization) return null;
        if (weight.Tensor.DataType != TensorElementTypes.Float) return null;
        return weight.OpType switch
        {
            "MatMul" when transposed => quantization.MatMulGrid,
            "MatMul" or "Gemm" or "Conv" => quantization.PerChannelGrid,
            _ => null,
        };
    }

    private static float[] Transpose(float[] source, int rows, int cols)
    {
        var result = new float[source.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++) result[(c * rows) + r] = source[(r * cols) + c];
        }

        return result;
    }
}
