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
    private readonly long _protobufLimitBytes;

    /// <param name="protobufLimitBytes">Past this the instrumented model goes to ONNX Runtime as a file pair; tests lower it instead of building a 2 GiB model.</param>
    public LayerStatisticsCollector(ExecutionDevice? device = null, long protobufLimitBytes = OnnxModelWriter.ProtobufLimitBytes)
    {
        _device = device ?? ExecutionDevice.Cpu;
        _protobufLimitBytes = protobufLimitBytes;
    }

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
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(batches);

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
        if (requests.Count == 0)
        {
            return new LayerStatisticsResult(Array.Empty<LayerStatistics>(), skipped, notes, _device.Name, 0);
        }

        var opset = StatisticsGraphBuilder.DefaultOpset(model);
        if (opset < StatisticsGraphBuilder.MinimumOpset)
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelNotRunnable,
                displayFile,
                $"The model imports ONNX opset {opset}; collecting calibration statistics needs opset {StatisticsGraphBuilder.MinimumOpset} or newer.");
        }

        var statisticsModel = StatisticsGraphBuilder.Build(model, requests, paddingMask);
        var accumulators = new Dictionary<string, StatisticsAccumulator>(StringComparer.Ordinal);
        foreach (var outputs in statisticsModel.Layers)
        {
            if (!accumulators.ContainsKey(outputs.NormsOutput))
            {
                accumulators.Add(outputs.NormsOutput, new StatisticsAccumulator(outputs.Layer.Features, outputs.Layer.Groups, outputs.GramOutput is not null));
            }
        }

        var batchCount = Run(statisticsModel, accumulators, batches, displayFile);
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

    private int Run(
        StatisticsModel statisticsModel,
        Dictionary<string, StatisticsAccumulator> accumulators,
        IEnumerable<IReadOnlyDictionary<string, OrtValue>> batches,
        string displayFile,
        string? paddingMask = null)
    {
        OnnxRuntimeWarmup.Wait();
        var outputNames = statisticsModel.OutputNames;
        var targets = new List<Action<OrtValue>>(outputNames.Count);
        foreach (var name in outputNames)
        {
            targets.Add(TargetOf(name, statisticsModel, accumulators));
        }

        using var session = Open(statisticsModel.Model, displayFile);
        using var runOptions = new RunOptions();
        var batchCount = 0;
        foreach (var batch in batches)
        {
            // One array of pairs keeps names and values in step whatever dictionary type the caller passed.
            var feeds = batch.ToArray();
            try
            {
                using var results = session.Run(runOptions, feeds.Select(f => f.Key).ToArray(), feeds.Select(f => f.Value).ToArray(), outputNames);
                var index = 0;
                foreach (var value in results)
                {
                    targets[index++](value);
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
    /// A session on the instrumented model. One protobuf message cannot pass 2 GiB, so a larger model (a language model
    /// of a billion parameters) goes to ONNX Runtime as a file pair with external data in the temporary folder, which
    /// is removed as soon as the session holds what it needs.
    /// </summary>
    private InferenceSession Open(global::Onnx.ModelProto model, string displayFile)
    {
        using var options = OnnxSessionOptions.ForOnePass();
        string? folder = null;
        try
        {
            _device.Configure(options);
            if (!OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Auto, displayFile, _protobufLimitBytes))
            {
                return new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model), options);
            }

            // Named as staged outputs are, so an interrupt's clean-up removes it too.
            folder = AtomicFile.TemporaryPathFor(Path.Combine(Path.GetTempPath(), "modelprune-statistics"));
            StagingRegistry.Remember(folder);
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, "statistics.onnx");
            OnnxModelWriter.WriteWithExternalData(model, path, ExternalDataLayout.DataPathFor(path), _protobufLimitBytes);
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelNotRunnable,
                displayFile,
                $"ONNX Runtime cannot load the model with the layer-statistics outputs added (device {_device.Name}): {e.Message}");
        }
        finally
        {
            // The session copies what it needs from the options when it is created, and has read (or mapped) the files.
            options.Dispose();
            if (folder is not null)
            {
                // Best effort: a file still held open (Windows) is left in the temporary folder.
                AtomicFile.TryDelete(folder);
                StagingRegistry.Forget(new[] { folder });
            }
        }
    }
}
