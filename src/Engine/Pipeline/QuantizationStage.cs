using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Progress;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Quantization.Formats;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// After pruning, stores the selected weights as integers in formats ONNX Runtime runs: a MatMul's constant weight
/// as MatMulNBits (the requested bits and group size), anything else as int8 per output channel behind
/// DequantizeLinear, embedding tables as int8 per row. GPTQ measures H = 2XᵀX of each layer's input on the pruned
/// model (one pass, or block by block past the memory budget as calibrated pruning does, with the same result) and
/// holds every pruned weight at exactly zero; RTN needs no data. A weight no format takes stays float, and its layer
/// says why.
/// </summary>
internal static class QuantizationStage
{
    /// <param name="memo">Statistics an earlier candidate measured on the same pruned model (Quantize="auto"'s probes), to reuse.</param>
    /// <param name="budgetBytes">The statistics' memory budget in place of <see cref="StatisticsBlocks.BudgetFor"/>'s; tests lower it to measure block by block.</param>
    public static (IReadOnlyList<LayerReport> Layers, QuantizationReport Report) Apply(OnnxModel model, PruneSettings settings,
        QuantizationSettings quantization, PruningResult pruning, CalibrationSplit? calibration, DiagnosticLog log, string file,
        StatisticsMemo? memo = null, long? budgetBytes = null)
    {
        var layers = pruning.Layers;
        var joint = pruning.JointlyQuantized ?? new Dictionary<string, QuantizedMatrix>();
        var selector = LayerSelector.Create(settings.Include, settings.Exclude, file);
        var candidates = PrunableWeightFinder.Find(model)
            .Where(w => selector.IsSelected(w.Name, w.NodeNames))
            .ToArray();
        // Measured whenever there is calibration data: GPTQ needs H, and RTN's error is reported on the same inputs.
        // Layers SparseGPT quantized in its own pass need neither, and when that is all of them the pass is skipped.
        // Layers Quantize="auto" keeps float need nothing either.
        var measured = candidates.Where(w => !joint.ContainsKey(w.Name) && quantization.ForLayer(w.Name) is not null).ToArray();

        var reports = layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var byName = new Dictionary<string, LayerQuantization>(StringComparer.Ordinal);
        // Block by block, the layers measured are computed as their block comes and written below with the others.
        var computed = new Dictionary<string, ComputedQuantization>(StringComparer.Ordinal);
        // Opened after a single statistics pass, so that pass is a stage of its own; block by block the passes are this
        // stage's, which is opened before them.
        ProgressStage? progress = null;
        EmbeddingQuantization[] embeddings;
        try
        {
            var (fitStatistics, heldOutStatistics) = calibration is not null && measured.Length > 0
                ? Measure(model, measured, settings, quantization, calibration, log, file, memo, budgetBytes, computed,
                    () => progress = ModelProgress.Begin("quantize", "layer", candidates.Length))
                : (new Dictionary<string, LayerStatistics>(), new Dictionary<string, LayerStatistics>());

            progress ??= ModelProgress.Begin("quantize", "layer", candidates.Length);
            foreach (var weight in candidates)
            {
                var level = quantization.ForLayer(weight.Name);
                var done = computed.TryGetValue(weight.Name, out var layer);
                byName[weight.Name] = level is null
                    ? Float(KeptFloatReason)
                    : joint.TryGetValue(weight.Name, out var quantized)
                        ? StoreJointlyQuantized(model, weight, quantized, reports.GetValueOrDefault(weight.Name), level)
                        : done
                            ? Write(model, weight, layer!, level, fit: null, heldOut: null)
                            : QuantizeLayer(model, weight, level, fitStatistics.GetValueOrDefault(weight.Name), heldOutStatistics.GetValueOrDefault(weight.Name));
                if (!done) progress.Advance();
            }

            embeddings = quantization.Embeddings
                ? EmbeddingTableWriter.Find(model.Proto).Select(table => QuantizeEmbedding(model, table)).ToArray()
                : Array.Empty<EmbeddingQuantization>();
        }
        finally
        {
            progress?.Dispose();
        }

        var updated = layers.Select(l => byName.TryGetValue(l.Name, out var q) ? l with { Quantization = q } : l).ToArray();
        var stored = updated.Where(l => l.Quantization?.BitsPerWeight is not null).Select(l => (l.Parameters, l.Quantization!.BitsPerWeight!.Value))
            .Concat(embeddings.Where(e => e.BitsPerWeight is not null).Select(e => (e.Shape.Aggregate(1L, (a, b) => a * b), e.BitsPerWeight!.Value)))
            .ToArray();
        var quantizedWeights = stored.Sum(s => s.Item1);
        var report = new QuantizationReport(
            quantization.Name,
            quantization.MethodName,
            quantization.Bits,
            quantization.GroupSize == QuantizationGrid.PerChannel ? null : quantization.GroupSize,
            quantization.Symmetric,
            byName.Values.Count(q => q.Format == MatMulNBitsWriter.Format),
            byName.Values.Count(q => q.Format == DequantizeLinearWriter.Format),
            byName.Values.Count(q => q.Format == FloatFormat),
            embeddings,
            quantization.DynamicActivations ? quantization.ActivationsName : null,
            quantization.DynamicActivations ? byName.Values.Count(q => q.Format == DynamicQuantizeMatMulWriter.Format) : null,
            quantizedWeights,
            // The mean of the tensors' figures weighted by their sizes: exact to the rounding of each (1e-3 bit).
            quantizedWeights == 0 ? null : Math.Round(stored.Sum(s => s.Item1 * s.Item2) / quantizedWeights, 3));
        return (updated, report);
    }

    private const string FloatFormat = "float";

    /// <summary>Why a layer Quantize="auto" chose to leave float is float.</summary>
    public const string KeptFloatReason = "Quantize=\"auto\" keeps it float: the key metric is too sensitive to it";

    private static LayerQuantization QuantizeLayer(OnnxModel model, PrunableWeight weight, QuantizationSettings quantization,
        LayerStatistics? fit, LayerStatistics? heldOut) =>
        Write(model, weight, Compute(model, weight, quantization, fit, heldOut), quantization, fit, heldOut);

    /// <summary>The codes and errors of a layer, from its weight and statistics alone: the graph is read, not written.</summary>
    /// <param name="matMulFormat">False once a MatMul format refused the weight: straight to DequantizeLinear's grid.</param>
    private static ComputedQuantization Compute(OnnxModel model, PrunableWeight weight, QuantizationSettings quantization,
        LayerStatistics? fit, LayerStatistics? heldOut, bool matMulFormat = true)
    {
        if (weight.Tensor.DataType != TensorElementTypes.Float)
        {
            return ComputedQuantization.Float($"{weight.Tensor.ElementTypeName} weights are not quantized, only float32");
        }

        if (weight.OpType is not ("MatMul" or "Gemm" or "Conv"))
        {
            return ComputedQuantization.Float($"{weight.OpType} weights have no quantized format here (MatMul, Gemm and Conv do)");
        }

        var layout = WeightMatrixLayout.Of(weight);
        var W = layout.ReadRows(weight);
        // W is a copy: a weight mapped from external data need not stay resident (a 4.4 GB model's would all be).
        weight.Tensor.ReleasePages();
        if (!W.All(float.IsFinite))
        {
            return ComputedQuantization.Float("it holds NaN or infinite values (MP1095), which no integer grid represents");
        }

        // A grouped Conv's statistics are per group; GPTQ's one H per layer does not fit it, so it rounds to nearest.
        var statistics = fit is { Groups: 1, Gram: not null } && fit.Features == layout.Cols ? fit : null;

        if (matMulFormat && weight.OpType == "MatMul" && layout.Transposed)
        {
            var quantized = Quantize(W, layout, quantization.MatMulGrid, quantization.Gptq ? statistics : null);
            // Asked before any layer is written, which gives the write's answer: a write rewrites only its own weight's
            // MatMuls, and refusals depend on those nodes and on the grid.
            if (MatMulRefusal(model, weight, quantized, quantization) is null)
            {
                return Computed(quantized, matMulFormat: true, quantization.MatMulGrid, W, layout, statistics, heldOut, quantization);
            }
        }

        // Opset 13's DequantizeLinear is per output channel and 8 bits: what every other weight gets, also with int4.
        var perChannel = Quantize(W, layout, quantization.PerChannelGrid, quantization.Gptq ? statistics : null);
        return Computed(perChannel, matMulFormat: false, quantization.PerChannelGrid, W, layout, statistics, heldOut, quantization);
    }

    /// <summary>Stores a computed layer in the graph, or says why it stays float.</summary>
    /// <param name="fit">The layer's statistics, for a MatMul format refusing what it accepted when computed; null once released (block by block).</param>
    private static LayerQuantization Write(OnnxModel model, PrunableWeight weight, ComputedQuantization computed, QuantizationSettings quantization,
        LayerStatistics? fit, LayerStatistics? heldOut)
    {
        if (computed.Quantized is not { } quantized) return Float(computed.FloatReason!);
        var written = computed.MatMulFormat
            ? WriteMatMul(model, weight, quantized, quantization)
            : DequantizeLinearWriter.Write(model.Proto, weight, quantized);
        if (written.Written)
        {
            var grid = computed.Grid!;
            return new LayerQuantization(
                written.Format,
                grid.Bits,
                grid.GroupSize == QuantizationGrid.PerChannel ? null : grid.GroupSize,
                grid.Symmetric,
                computed.Method,
                BitsPerWeight(written, quantized.Rows * (long)quantized.Cols),
                computed.Error,
                computed.HeldOutError);
        }

        // Not expected (the refusal was asked when computed), but DequantizeLinear can still take what a MatMul format
        // does not; block by block the statistics are gone by now, so it then rounds to nearest.
        return computed.MatMulFormat
            ? Write(model, weight, Compute(model, weight, quantization, fit, heldOut, matMulFormat: false), quantization, fit, heldOut)
            : Float(written.SkipReason!);
    }

    /// <summary>
    /// A layer SparseGPT pruned and quantized in one pass: its codes are stored as they are, and its errors are the
    /// pass's (pruning and quantization together, against the dense weight). Should the format the pass aimed at refuse
    /// the weight (a MatMul weight shared with another operator), the dequantized weight is rounded onto the int8
    /// per-channel grid of DequantizeLinear instead, which every weight can take.
    /// </summary>
    private static LayerQuantization StoreJointlyQuantized(OnnxModel model, PrunableWeight weight, QuantizedMatrix quantized,
        LayerReport? layer, QuantizationSettings quantization)
    {
        var matMul = weight.OpType == "MatMul" && WeightMatrixLayout.Of(weight).Transposed;
        var written = matMul
            ? WriteMatMul(model, weight, quantized, quantization)
            : DequantizeLinearWriter.Write(model.Proto, weight, quantized);
        if (!written.Written) return QuantizeLayer(model, weight, quantization with { Gptq = false }, fit: null, heldOut: null);

        var grid = matMul ? quantization.MatMulGrid : quantization.PerChannelGrid;
        return new LayerQuantization(
            written.Format,
            grid.Bits,
            grid.GroupSize == QuantizationGrid.PerChannel ? null : grid.GroupSize,
            grid.Symmetric,
            JointMethod,
            BitsPerWeight(written, quantized.Rows * (long)quantized.Cols),
            layer?.ReconstructionError,
            layer?.HeldOutError);
    }

    /// <summary>A MatMul's constant weight: MatMulNBits, or with dynamic activations DynamicQuantizeMatMul.</summary>
    private static FormatWriteResult WriteMatMul(OnnxModel model, PrunableWeight weight, QuantizedMatrix quantized, QuantizationSettings quantization) =>
        quantization.DynamicActivations
            ? DynamicQuantizeMatMulWriter.Write(model.Proto, weight, quantized)
            : MatMulNBitsWriter.Write(model.Proto, weight, quantized);

    private static string? MatMulRefusal(OnnxModel model, PrunableWeight weight, QuantizedMatrix quantized, QuantizationSettings quantization) =>
        quantization.DynamicActivations
            ? DynamicQuantizeMatMulWriter.Refusal(model.Proto, weight, quantized)
            : MatMulNBitsWriter.Refusal(model.Proto, weight, quantized);

    /// <summary>The method a layer quantized in SparseGPT's pruning pass reports.</summary>
    public const string JointMethod = "sparsegpt";

    private static QuantizedMatrix Quantize(float[] W, WeightMatrixLayout layout, QuantizationGrid grid, LayerStatistics? statistics)
    {
        if (statistics is null) return RtnQuantizer.Quantize(W, layout.Rows, layout.Cols, grid);

        var H = new float[layout.Cols * layout.Cols];
        for (var i = 0; i < H.Length; i++) H[i] = (float)(2 * statistics.Gram![i]);
        // Weights pruning set to zero stay zero: GPTQ's compensation may not revive them.
        var pruned = W.Select(w => w == 0f).ToArray();
        return GptqQuantizer.Quantize(W, layout.Rows, layout.Cols, H, grid, pruned).Quantized;
    }

    private static double BitsPerWeight(FormatWriteResult written, long weights) => Math.Round(8.0 * written.StoredBytes / weights, 3);

    private static ComputedQuantization Computed(QuantizedMatrix quantized, bool matMulFormat, QuantizationGrid grid, float[] W, WeightMatrixLayout layout,
        LayerStatistics? fit, LayerStatistics? heldOut, QuantizationSettings quantization)
    {
        var Wq = quantized.Dequantize();
        double? Error(LayerStatistics? statistics) => statistics?.Gram is { } gram && statistics.Groups == 1 && statistics.Features == layout.Cols
            ? Evaluation.MetricRounding.Round6(LayerOutputError.Relative(W, Wq, layout.Rows, layout.Cols, 1, gram))
            : null;
        return new ComputedQuantization(quantized, matMulFormat, grid, quantization.Gptq && fit is not null ? "gptq" : "rtn", Error(fit), Error(heldOut));
    }

    private static LayerQuantization Float(string reason) => new(FloatFormat, null, null, null, null, Reason: reason);

    private static EmbeddingQuantization QuantizeEmbedding(OnnxModel model, EmbeddingTable table)
    {
        var shape = table.Tensor.Dims.ToArray();
        var written = EmbeddingTableWriter.Write(model.Proto, table);
        return written.Written
            ? new EmbeddingQuantization(table.Name, shape, written.Format, BitsPerWeight: BitsPerWeight(written, shape.Aggregate(1L, (a, b) => a * b)))
            : new EmbeddingQuantization(table.Name, shape, FloatFormat, written.SkipReason);
    }

    /// <summary>
    /// Each candidate layer's input statistics on the pruned model, on the fitted and the held-out samples. Past the
    /// memory budget they come block by block instead: each block's layers are computed into <paramref name="computed"/>
    /// as it comes and its statistics let go, and both dictionaries returned are empty.
    /// </summary>
    /// <param name="beginProgress">Opens the stage's progress, which block by block counts the layers computed here.</param>
    private static (Dictionary<string, LayerStatistics> Fit, Dictionary<string, LayerStatistics> HeldOut) Measure(OnnxModel model,
        IReadOnlyList<PrunableWeight> candidates, PruneSettings settings, QuantizationSettings quantization, CalibrationSplit calibration,
        DiagnosticLog log, string file, StatisticsMemo? memo, long? budgetBytes, Dictionary<string, ComputedQuantization> computed,
        Func<ProgressStage> beginProgress)
    {
        var observable = candidates.Where(w => w.Tensor.DataType == TensorElementTypes.Float && w.OpType is "MatMul" or "Gemm" or "Conv").ToArray();
        var batchSize = ModelBatchSize.ForCalibration(ModelInputSignature.FromModel(model.Proto));
        var collector = new LayerStatisticsCollector(ExecutionDeviceResolver.Shared.Resolve(settings.Device, file));
        var paddingMask = PaddingMask.Find(model.Proto);

        // As calibrated pruning decides: past the budget the statistics are collected block by block.
        var heldOutSamples = calibration.HeldOut.SampleCount > 0;
        if (collector.BlockBudget(model.Proto, observable, heldOutSamples, memoized: memo is not null, budgetBytes, file) is { } budget)
        {
            var progress = beginProgress();
            var byName = candidates.ToDictionary(w => w.Name, StringComparer.Ordinal);
            // Nothing is written into the graph until the last block is in: later blocks are cut from it as measured.
            // Quantizing changes no statistics in one pass either (they are the pruned model's), so the result is the same.
            collector.CollectInBlocks(model.Proto, observable, gram: true, () => calibration.Fit.OrtBatches(batchSize, reportProgress: false),
                heldOutSamples ? () => calibration.HeldOut.OrtBatches(batchSize, reportProgress: false) : null, file, paddingMask, budget,
                block =>
                {
                    WarnNotObserved(block.Fit.Skipped, log, file);
                    var heldOutLayers = block.HeldOut?.Layers.ToDictionary(l => l.WeightName, StringComparer.Ordinal);
                    foreach (var layer in block.Fit.Layers)
                    {
                        computed[layer.WeightName] = Compute(model, byName[layer.WeightName], quantization.ForLayer(layer.WeightName)!, layer,
                            heldOutLayers?.GetValueOrDefault(layer.WeightName));
                        progress.Advance();
                    }
                });

            // The last block's sums and working arrays would otherwise still be held while the model is written.
            GC.Collect();
            return (new Dictionary<string, LayerStatistics>(), new Dictionary<string, LayerStatistics>());
        }

        // The statistics belong to the pruned model's bytes: probes that pruned alike (Quantize="auto" at a fixed
        // sparsity) share them, and one whose pruning differed (a layer SparseGPT quantized in its pass) measures anew.
        var key = memo is null ? null : "quantize\n" + ContentHash(model.Proto)
            + "\n" + string.Join("\n", observable.Select(w => w.Name));
        LayerStatisticsResult Collect(string part, IEnumerable<IReadOnlyDictionary<string, Microsoft.ML.OnnxRuntime.OrtValue>> batches) => key is null
            ? collector.Collect(model.Proto, observable, gram: true, batches, file, paddingMask)
            : memo!.GetOrCollect(part + "\n" + key, () => collector.Collect(model.Proto, observable, gram: true, batches, file, paddingMask));
        var fit = Collect("fit", calibration.Fit.OrtBatches(batchSize));
        WarnNotObserved(fit.Skipped, log, file);

        var heldOut = calibration.HeldOut.SampleCount == 0
            ? new List<LayerStatistics>()
            : Collect("held-out", calibration.HeldOut.OrtBatches(batchSize)).Layers.ToList();
        return (fit.Layers.ToDictionary(l => l.WeightName, StringComparer.Ordinal), heldOut.ToDictionary(l => l.WeightName, StringComparer.Ordinal));
    }

    private static void WarnNotObserved(IEnumerable<SkippedLayer> skipped, DiagnosticLog log, string file)
    {
        foreach (var layer in skipped)
        {
            log.Warn(DiagnosticCodes.LayerNotCalibrated, file,
                $"Layer '{layer.WeightName}': its input cannot be observed ({layer.Reason}), so it is quantized by rounding to nearest and its quantization error is not measured.");
        }
    }

    /// <summary>SHA-256 of the model as it would be written, streamed: no second copy of its bytes.</summary>
    private static string ContentHash(global::Onnx.ModelProto model)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using (var hashing = new HashingStream(Stream.Null, hash))
        {
            Google.Protobuf.MessageExtensions.WriteTo(model, hashing);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
