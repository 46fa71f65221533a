using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Pruning.Wanda;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Wanda and SparseGPT. The calibration set runs once through a copy of the model that ONNX Runtime
/// extends with reduction nodes, so per layer only Σx² and XᵀX (O(d²)) come back, never the activations.
/// All layers are measured in that one pass on the dense model ("one-shot"); the reference code instead
/// prunes layer by layer, each layer seeing the inputs the already-pruned layers produce. One pass costs
/// one inference over the calibration set instead of one per layer, which is what makes build-time
/// pruning of a whole model affordable; the price is that later layers do not compensate earlier errors.
/// </summary>
public static class CalibratedPruningStage
{
    /// <summary>Samples per ONNX Runtime run: statistics are summed over batches, so this only trades memory for calls.</summary>
    private const int BatchSize = 8;

    /// <summary>
    /// Share of the calibration samples kept out of the statistics, to report each layer's error on data the
    /// method did not fit (SparseGPT overfits small calibration sets: on MiniLM's FFN-output layers its
    /// held-out error is 3-5x its in-sample error).
    /// </summary>
    public const double HeldOutFraction = 0.2;

    /// <summary>Splits a calibration set into the samples the statistics are fitted on and the held-out ones.</summary>
    public static (CalibrationSet Fit, CalibrationSet HeldOut) Split(CalibrationSet calibration) => calibration.Split(HeldOutFraction);

    public static CalibratedPruning Apply(global::Onnx.ModelProto model, IReadOnlyList<PrunableWeight> selected, PruneSettings settings,
        (CalibrationSet Fit, CalibrationSet HeldOut) calibration, DiagnosticLog log, string file)
    {
        var batchSize = BatchSizeFor(ModelInputSignature.FromModel(model));
        var (fit, heldOut) = calibration;
        var collector = new LayerStatisticsCollector(Common.ExecutionDeviceResolver.Shared.Resolve(settings.Device, file));
        var statistics = collector.Collect(model, selected, gram: true, Batches(fit, batchSize), file);
        // Measured before any layer changes: like the fit statistics, on the dense model's inputs.
        var heldOutStatistics = heldOut.SampleCount == 0
            ? null
            : collector.Collect(model, selected, gram: true, Batches(heldOut, batchSize), file).Layers.ToDictionary(l => l.WeightName, StringComparer.Ordinal);

        var byName = selected.ToDictionary(w => w.Name, StringComparer.Ordinal);
        var skipped = new Dictionary<PrunableWeight, string>();
        foreach (var layer in statistics.Skipped)
        {
            var weight = byName[layer.WeightName];
            skipped[weight] = layer.Reason;
            log.Warn(DiagnosticCodes.LayerNotCalibrated, file,
                $"Layer '{layer.WeightName}' was left dense: {PruningMethodNames.ToName(settings.Method)} cannot observe its input ({layer.Reason}).");
        }

        var sparsities = LayerSparsities(statistics.Layers, byName, settings);
        var results = new Dictionary<PrunableWeight, CalibratedLayerResult>();
        foreach (var layer in statistics.Layers)
        {
            var weight = byName[layer.WeightName];
            if (layer.Tokens < layer.Features)
            {
                log.Warn(DiagnosticCodes.FewCalibrationTokens, file, string.Create(CultureInfo.InvariantCulture,
                    $"Layer '{layer.WeightName}' saw {layer.Tokens} calibration tokens for {layer.Features} input features, so XᵀX is singular and {PruningMethodNames.ToName(settings.Method)} fits the calibration set too closely. Give more calibration samples."));
            }

            results[weight] = PruneLayer(weight, layer, heldOutStatistics?.GetValueOrDefault(layer.WeightName), settings, sparsities[layer.WeightName]);
        }

        return new CalibratedPruning(results, skipped, fit, heldOut);
    }

    /// <summary>
    /// Uniform: the target everywhere. OWL: each layer's share of outlier Wanda scores shifts it within ±λ of
    /// the target, keeping the parameter-weighted mean at the target (<see cref="OwlAllocator"/>).
    /// </summary>
    private static IReadOnlyDictionary<string, double> LayerSparsities(IReadOnlyList<LayerStatistics> layers,
        IReadOnlyDictionary<string, PrunableWeight> byName, PruneSettings settings)
    {
        if (settings.Allocation == LayerAllocation.Uniform || layers.Count == 0)
        {
            return layers.ToDictionary(l => l.WeightName, _ => settings.Sparsity, StringComparer.Ordinal);
        }

        var owl = layers.Select(l =>
        {
            var (W, rows, cols, _) = RowsView(byName[l.WeightName]);
            return new OwlLayer(W.Length, OwlAllocator.OutlierRatio(W, rows, cols, l.NormsSquared));
        }).ToArray();
        var allocated = OwlAllocator.Allocate(owl, settings.Sparsity);
        return layers.Select((l, i) => (l.WeightName, allocated[i])).ToDictionary(p => p.WeightName, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>The methods work on W as [out, in] rows (PyTorch's layout); a MatMul weight is stored [in, out].</summary>
    private static (float[] W, int Rows, int Cols, bool Transposed) RowsView(PrunableWeight weight)
    {
        var dims = weight.Tensor.Dims;
        var transposed = weight.InputAxis == 0;
        var rows = (int)(transposed ? dims[1] : dims[0]);
        var cols = (int)(transposed ? dims[0] : dims[1]);
        var stored = weight.Tensor.ReadValues();
        return (transposed ? Transpose(stored, cols, rows) : stored, rows, cols, transposed);
    }

    private static CalibratedLayerResult PruneLayer(PrunableWeight weight, LayerStatistics statistics, LayerStatistics? heldOut,
        PruneSettings settings, double sparsity)
    {
        var (W, rows, cols, transposed) = RowsView(weight);
        var original = (float[])W.Clone();

        double? dampening = null;
        if (settings.Method == PruningMethod.SparseGpt)
        {
            var H = new float[statistics.Gram!.Length];
            for (var i = 0; i < H.Length; i++) H[i] = (float)(2 * statistics.Gram[i]);
            dampening = SparseGptPruner.Prune(W, rows, cols, H, sparsity, settings.Pattern.N, settings.Pattern.M).Dampening;
        }
        else if (settings.Allocation == LayerAllocation.Uniform)
        {
            WandaPruner.Prune(W, rows, cols, statistics.NormsSquared, settings.Pattern, sparsity);
        }
        else
        {
            // Allocated sparsities are not multiples of 1/cols, and on narrow layers one weight per row is a
            // big step: the layer's total is rounded to whole weights and the remainder spread one per row
            // over the first rows, so the model-wide total stays on target.
            var zeros = MagnitudeSelection.CountFor((long)rows * cols, sparsity);
            var perRow = (int)(zeros / rows);
            var longer = (int)(zeros % rows);
            WandaPruner.Prune(W.AsSpan(0, longer * cols), longer, cols, statistics.NormsSquared, perRow + 1);
            WandaPruner.Prune(W.AsSpan(longer * cols), rows - longer, cols, statistics.NormsSquared, perRow);
        }

        weight.Tensor.WriteValues(transposed ? Transpose(W, rows, cols) : W);
        return new CalibratedLayerResult(
            ReconstructionError(original, W, rows, cols, statistics.Gram!),
            heldOut?.Gram is { } heldOutGram ? ReconstructionError(original, W, rows, cols, heldOutGram) : null,
            dampening,
            statistics.Tokens);
    }

    /// <summary>
    /// tr(ΔW G ΔWᵀ) / tr(W G Wᵀ) with G = XᵀX: the layer's output error over the calibration tokens, from
    /// two matrix products on the SparseGPT kernels (a plain double loop took seconds on MiniLM).
    /// </summary>
    private static double ReconstructionError(float[] W, float[] pruned, int rows, int cols, double[] gram)
    {
        var G = new float[gram.Length];
        for (var i = 0; i < G.Length; i++) G[i] = (float)gram[i];
        var delta = new float[W.Length];
        for (var i = 0; i < W.Length; i++) delta[i] = W[i] - pruned[i];

        var error = QuadraticForm(delta, G, rows, cols);
        var total = QuadraticForm(W, G, rows, cols);
        return total == 0 ? 0 : error / total;
    }

    /// <summary>Σ_r a_r G a_rᵀ over the rows of A [rows, cols].</summary>
    private static double QuadraticForm(float[] A, float[] G, int rows, int cols)
    {
        var negativeAG = new float[A.Length];
        ManagedLinearAlgebra.Shared.SubtractProduct(negativeAG, 0, cols, A, 0, cols, G, 0, cols, rows, cols, cols);
        double sum = 0;
        for (var i = 0; i < A.Length; i++) sum -= (double)negativeAG[i] * A[i];
        return sum;
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

    /// <summary>A model with a fixed batch axis must be fed batches of exactly that size.</summary>
    private static int BatchSizeFor(ModelInputSignature signature)
    {
        var fixedBatch = signature.Inputs
            .Select(i => i.Dimensions is { Count: > 0 } d && d[0].IsFixed ? d[0].Value : null)
            .FirstOrDefault(v => v is > 0);
        return fixedBatch is { } size ? (int)size : BatchSize;
    }

    private static IEnumerable<IReadOnlyDictionary<string, OrtValue>> Batches(CalibrationSet calibration, int batchSize)
    {
        foreach (var batch in calibration.Batches(batchSize))
        {
            var values = batch.Inputs.ToDictionary(i => i.Name, i => i.ToOrtValue(), StringComparer.Ordinal);
            try
            {
                yield return values;
            }
            finally
            {
                foreach (var value in values.Values) value.Dispose();
            }
        }
    }
}
