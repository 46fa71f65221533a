using System.Globalization;
using System.Runtime.InteropServices;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Progress;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Zeroes weights in place without changing any shape: magnitude, global magnitude and N:M magnitude here, Wanda
/// and SparseGPT through <see cref="CalibratedPruningStage"/>, and says, per layer, what happened. The ONNX side
/// (finding and rewriting tensors) stays here so the methods in Pruning/ see plain arrays.
/// </summary>
internal static class UnstructuredPruningStage
{
    /// <param name="planned">The output's data file, where pruned tensors of a mapped model go straight to their place (<see cref="TensorSpill"/>).</param>
    public static PruningResult Apply(OnnxModel model, PruneSettings settings, CalibrationSplit? calibration, DiagnosticLog log, string file,
        StatisticsMemo? memo = null, PlannedDataFile? planned = null)
    {
        var weights = PrunableWeightFinder.Find(model);
        var selector = LayerSelector.Create(settings.Include, settings.Exclude, file);
        var decisions = weights.Select(w => Decide(w, settings, selector)).ToArray();

        foreach (var (setting, pattern) in selector.Unmatched())
        {
            log.Warn(DiagnosticCodes.SelectorMatchedNothing, file,
                $"{setting} pattern '{pattern}' matches no prunable layer. Run `modelprune inspect` to list the layer names.");
        }

        // A float layer is skipped because its input dimension does not split into N:M groups, or its values are not finite.
        foreach (var (weight, _, reason) in decisions.Where(d => d.Status == LayerStatus.Skipped && d.Weight.Tensor.IsFloatingPoint))
        {
            if (reason!.Contains("NaN", StringComparison.Ordinal))
            {
                log.Warn(DiagnosticCodes.NonFiniteWeights, file, $"Layer '{weight.Name}' was left dense: {reason}. Check how the model was exported or trained; its outputs are unusable.");
            }
            else
            {
                log.Warn(DiagnosticCodes.LayerNotDivisibleByM, file, $"Layer '{weight.Name}' was left dense: {reason}.");
            }
        }

        var selected = decisions.Where(d => d.Status == LayerStatus.Pruned).Select(d => d.Weight).ToArray();
        if (selected.Length == 0)
        {
            log.Warn(DiagnosticCodes.NoPrunableWeights, file,
                "No layer was pruned: the model has no selected MatMul/Gemm/Conv/ConvTranspose/LSTM/GRU weight. The output is an unchanged copy.");
        }

        if (PruningMethodNames.NeedsCalibration(settings.Method))
        {
            var calibrated = CalibratedPruningStage.Apply(model.Proto, selected, settings,
                calibration ?? throw new InvalidOperationException("calibrated methods are given calibration data"), log, file, memo, planned: planned);
            var jointlyQuantized = calibrated.Results
                .Where(r => r.Value.Quantized is not null)
                .ToDictionary(r => r.Key.Name, r => r.Value.Quantized!, StringComparer.Ordinal);
            return new PruningResult(decisions.Select(d => ToCalibratedReport(d, calibrated)).ToArray(), JointlyQuantized: jointlyQuantized);
        }

        PruneSelected(selected, settings, planned);

        return new PruningResult(decisions.Select(d => ToReport(d.Weight, d.Status, d.Reason)).ToArray());
    }

    private static LayerReport ToCalibratedReport((PrunableWeight Weight, LayerStatus Status, string? Reason) decision, CalibratedPruning calibrated)
    {
        if (calibrated.Skipped.TryGetValue(decision.Weight, out var why))
        {
            return ToReport(decision.Weight, LayerStatus.Skipped, "input not observable for calibration: " + why);
        }

        var report = ToReport(decision.Weight, decision.Status, decision.Reason);
        return calibrated.Results.TryGetValue(decision.Weight, out var result)
            ? report with
            {
                ReconstructionError = MetricRounding.Round6(result.ReconstructionError),
                HeldOutError = result.HeldOutError is { } heldOut ? MetricRounding.Round6(heldOut) : null,
                Dampening = result.Dampening,
                CalibrationTokens = result.Tokens,
            }
            : report;
    }

    private static (PrunableWeight Weight, LayerStatus Status, string? Reason) Decide(PrunableWeight weight, PruneSettings settings, LayerSelector selector)
    {
        if (!selector.IsSelected(weight.Name, weight.NodeNames)) return (weight, LayerStatus.Excluded, "not selected by IncludeLayers/ExcludeLayers");
        if (!weight.Tensor.IsFloatingPoint) return (weight, LayerStatus.Skipped, $"element type {weight.Tensor.ElementTypeName} is not pruned");

        // NaN or infinite weights make every score meaningless and would pass through the evaluation unnoticed.
        if (weight.Tensor.CountNonFinite() is var nonFinite and > 0)
        {
            return (weight, LayerStatus.Skipped, string.Create(CultureInfo.InvariantCulture, $"it holds {nonFinite} NaN or infinite values"));
        }

        var layout = InputAxisLayout.From(weight.Tensor.Dims, weight.InputAxis);
        if (settings.Pattern.IsNM && !NmMagnitudePruner.Fits(layout, settings.Pattern))
        {
            return (weight, LayerStatus.Skipped, string.Create(CultureInfo.InvariantCulture,
                $"input dimension {layout.Length} (axis {weight.InputAxis}) is not a multiple of {settings.Pattern.M}"));
        }

        return (weight, LayerStatus.Pruned, settings.IsRestored(weight.Name) ? RestoredReason : null);
    }

    /// <summary>
    /// A layer the search keeps dense stays "pruned" at sparsity 0, so the total sparsity is still over every selected
    /// layer; the reason says why it has no zeros.
    /// </summary>
    public const string RestoredReason = "kept dense by Sparsity=\"auto\": among the layers the key metric is most sensitive to (its share went to the others)";

    private static void PruneSelected(IReadOnlyList<PrunableWeight> selected, PruneSettings settings, PlannedDataFile? planned)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        // Counts the layers as they are zeroed (for global magnitude: the last pass, after the threshold is found).
        using var progress = ModelProgress.Begin("prune", "layer", selected.Count);
        // Layers mapped from external data are pruned in an array and moved to a spill file, not written in their pages.
        using var spill = TensorSpill.ForMapped(selected, planned);
        var largest = selected.Where(w => w.Tensor.IsMapped).Select(w => w.Tensor.Proto.RawData.Length).DefaultIfEmpty().Max();
        if (settings.Method == PruningMethod.GlobalMagnitude)
        {
            var global = new GlobalMagnitudePruner(selected.Select(w => w.Tensor.ElementCount).ToArray(), settings.Sparsity, settings.MaxLayerSparsity);
            while (!global.Resolved)
            {
                Parallel.For(0, selected.Count, parallel, l => ReadLayer(selected[l], W => global.Count(l, W)));
                global.Advance();
            }

            var counts = global.LayerCounts();
            ForEachLayer(selected, parallel, spill, largest, (l, W) =>
            {
                MagnitudeSelection.ZeroSmallest(W, counts[l]);
                progress.Advance();
            });
            return;
        }

        ForEachLayer(selected, parallel, spill, largest, (l, W) =>
        {
            var weight = selected[l];
            PruneLayer(W, InputAxisLayout.From(weight.Tensor.Dims, weight.InputAxis), settings, settings.SparsityOf(weight.Name));
            progress.Advance();
        });
    }

    /// <summary>
    /// Hands each layer's W to <paramref name="prune"/>, in parallel: float32 raw data where it lies in the model (no
    /// copy); a layer mapped from external data through an array of its core's own (<paramref name="largest"/> bytes,
    /// made once) that then goes to <paramref name="spill"/>; other storage through a float copy written back.
    /// </summary>
    private static void ForEachLayer(IReadOnlyList<PrunableWeight> selected, ParallelOptions parallel, TensorSpill? spill, int largest,
        LayerAction prune)
    {
        Parallel.For(0, selected.Count, parallel, () => (byte[]?)null, (l, _, buffer) =>
        {
            var tensor = selected[l].Tensor;
            if (spill is not null && tensor.IsMapped && tensor.TryReadFloat32InPlace(out var mapped) && !mapped.IsEmpty)
            {
                buffer ??= GC.AllocateUninitializedArray<byte>(largest);
                var bytes = buffer.AsSpan(0, mapped.Length);
                if (!MappedDataFile.TryCopyFromFile(mapped, bytes)) mapped.Span.CopyTo(bytes);
                prune(l, MemoryMarshal.Cast<byte, float>(bytes));
                spill.Replace(tensor, bytes);
            }
            else if (tensor.TryGetFloat32InPlace(out var raw))
            {
                prune(l, MemoryMarshal.Cast<byte, float>(raw.Span));
            }
            else
            {
                var W = tensor.ReadValues();
                prune(l, W);
                tensor.WriteValues(W);
            }

            return buffer;
        }, _ => { });
    }

    /// <summary>Hands a layer's W to <paramref name="action"/> to read, where it lies when it can (a mapped layer's pages are handed back after).</summary>
    private static void ReadLayer(PrunableWeight weight, WeightAction action)
    {
        if (weight.Tensor.TryReadFloat32InPlace(out var raw))
        {
            // Writable only in type: the count does not write, so the pages can be handed back.
            action(MemoryMarshal.Cast<byte, float>(MemoryMarshal.AsMemory(raw).Span));
            weight.Tensor.ReleasePages();
            return;
        }

        action(weight.Tensor.ReadValues());
    }

    private static void PruneLayer(Span<float> W, InputAxisLayout layout, PruneSettings settings, double sparsity)
    {
        if (settings.Pattern.IsNM)
        {
            NmMagnitudePruner.Prune(W, layout, settings.Pattern);
        }
        else
        {
            MagnitudeSelection.ZeroSmallest(W, MagnitudeSelection.CountFor(W.Length, sparsity));
        }
    }

    private static LayerReport ToReport(PrunableWeight weight, LayerStatus status, string? reason)
    {
        var parameters = weight.Tensor.ElementCount;
        var zeros = weight.Tensor.IsFloatingPoint ? weight.Tensor.CountZeros() : 0;
        return new LayerReport(
            weight.Name,
            weight.OpType,
            weight.NodeNames,
            weight.Tensor.Dims,
            weight.InputAxis,
            parameters,
            zeros,
            parameters == 0 ? 0 : (double)zeros / parameters,
            LayerStatusNames.ToName(status),
            reason);
    }
}
