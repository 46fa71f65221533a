using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Progress;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Runs the original and the pruned model on the same inputs (evaluation data, held-out calibration samples or
/// seeded synthetic inputs) and measures how far each output moved. The models run one after the other, never both loaded, because large models would need twice
/// the memory.
/// </summary>
internal static class ModelComparer
{
    public const string SyntheticInputKind = "synthetic";

    /// <summary>Batches of outputs from this size on are collected as soon as they are compared (see <see cref="CollectIfLarge"/>).</summary>
    private const long LargeBatchBytes = 64L << 20;

    public static EvaluationReport Compare(string originalModelPath, string prunedModelPath, EvaluationOptions options, string displayFile) =>
        CompareModels(originalModelPath, prunedModelPath, options, displayFile).Report;

    public static ComparisonResult CompareModels(string originalModelPath, string prunedModelPath, EvaluationOptions options, string displayFile) =>
        CompareModels(new ComparedModel(originalModelPath), new ComparedModel(prunedModelPath), options, displayFile);

    /// <summary>
    /// Runs both models on every batch, judges each output by its task, and (when asked) times both on the first
    /// batch: <see cref="RunOriginal"/>, then <see cref="ComparePruned"/>.
    /// </summary>
    public static ComparisonResult CompareModels(ComparedModel original, ComparedModel pruned, EvaluationOptions options, string displayFile)
    {
        using var run = RunOriginal(original, options, displayFile);
        var result = ComparePruned(run, pruned, options, displayFile);
        return options.MeasureLatency ? result with { Latency = TimeLatency(run, pruned.Path, options, displayFile) } : result;
    }

    /// <summary>
    /// The original model's outputs on every batch (evaluation samples, or a seeded synthetic batch made from its
    /// inputs), kept out of managed memory (<see cref="OriginalOutputStore"/>). With real samples and a memo
    /// (<see cref="EvaluationOptions.OriginalOutputs"/>) they are run once for every comparison with this original.
    /// Given the parsed model, run it before anything changes it in place: the session uses its tensors.
    /// </summary>
    public static OriginalRun RunOriginal(ComparedModel original, EvaluationOptions options, string displayFile)
    {
        OnnxRuntimeWarmup.Wait();
        ArgumentNullException.ThrowIfNull(options);
        var gatherBounds = options.GatherBounds ?? ReadGatherBounds(original.Path, displayFile);
        var batches = new List<List<SyntheticInput>>();
        // The original's outputs when this run made them and no memo took them over.
        OriginalOutputStore? owned = null;
        try
        {
            // Real samples are the same every time, so the original's outputs on them can be reused; synthetic inputs
            // are made from a session.
            var memo = options.Samples is null ? null : options.OriginalOutputs;
            if (options.Samples is { } samples)
            {
                batches.AddRange(samples.Batches.Select(b => FromBatch(b, samples.ValuesText)));
            }

            var outputs = memo?.Find(original.Path);
            if (outputs is null)
            {
                var progress = ProgressStage.None;
                try
                {
                    using var session = Open(original, options.Device ?? ExecutionDevice.Cpu, displayFile, pruned: false);
                    if (options.Samples is null)
                    {
                        batches.Add(InputSynthesizer.Create(session, gatherBounds, options, displayFile));
                    }

                    owned = new OriginalOutputStore(TensorOutputNames(session), options.TemporaryFolder);
                    progress = ModelProgress.Begin("original", "batch", batches.Count);
                    foreach (var batch in batches)
                    {
                        CollectIfLarge(Bytes(Run(session, batch, owned.OutputNames, displayFile, pruned: false, owned)));
                        progress.Advance();
                    }
                }
                finally
                {
                    progress.Dispose();
                }

                outputs = owned;
                if (memo is not null)
                {
                    memo.Remember(original.Path, owned);
                    owned = null;
                }
            }

            foreach (var summary in outputs.Summaries)
            {
                RequireFinite(summary, original.Path);
            }

            var run = new OriginalRun(original.Path, batches, outputs, owned);
            owned = null;
            return run;
        }
        catch
        {
            owned?.Dispose();
            foreach (var input in batches.SelectMany(b => b))
            {
                input.Value.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Runs the pruned model batch by batch; each of its batches is compared with the original's same batch and let go
    /// (<see cref="OutputEvaluation"/>), so at most one batch of each model's outputs is held at once. The metrics are
    /// the same to the bit as over all batches joined along the first axis: the sums run in the same order, and what
    /// needs every sample (nearest neighbours, percentiles) keeps one small vector per item.
    /// </summary>
    public static ComparisonResult ComparePruned(OriginalRun original, ComparedModel pruned, EvaluationOptions options, string displayFile)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(options);
        var device = options.Device ?? ExecutionDevice.Cpu;
        var batches = original.Batches;
        var originalOutputs = original.Outputs;
        var originals = originalOutputs.Summaries;
        var labels = options.Samples?.Labels ?? EvaluationLabels.None;
        var mask = CaptureMask(batches);
        var evaluations = originals.Select(o => OutputEvaluation.Begin(o, options.Task, labels.ForOutput(o.Name), mask, displayFile)).ToList();
        using (var progress = ModelProgress.Begin("evaluate", "batch", batches.Count))
        using (var session = Open(pruned, device, displayFile, pruned: true))
        {
            for (var b = 0; b < batches.Count; b++)
            {
                CollectIfLarge(CompareBatch(session, batches[b], originalOutputs, b, evaluations, displayFile));
                progress.Advance();
            }
        }

        var deviations = evaluations.Select(e => e.Finish()).ToList();
        var requested = EvaluationTaskNames.ToName(options.Task);
        var sampleCount = options.Samples?.SampleCount;
        var inputs = batches[0].Select(i => sampleCount is { } n && i.Description.Shape.Count > 0
            ? i.Description with { Shape = new[] { (long)n }.Concat(i.Description.Shape.Skip(1)).ToArray() }
            : i.Description).ToList();
        var data = options.Samples?.Data is { } d ? new EvaluationDataReport(d.Source, d.Sha256, sampleCount ?? 0, d.Labels.Names) : null;
        var report = new EvaluationReport(options.Samples?.Kind ?? SyntheticInputKind, options.Seed, inputs, deviations, requested, data);
        return new ComparisonResult(report, null, TaskWarnings(options.Task, deviations));
    }

    /// <summary>
    /// Both models' latency on the first batch, from their files (<see cref="MeasureLatency"/>); null for a model with no
    /// tensor outputs. A caller holding the parsed model lets it go first: these sessions load their own copies.
    /// </summary>
    public static LatencyReport? TimeLatency(OriginalRun original, string prunedModelPath, EvaluationOptions options, string displayFile) =>
        original.Outputs.OutputNames.Count == 0
            ? null
            : MeasureLatency(original.ModelPath, prunedModelPath, original.Batches[0], original.Outputs.OutputNames.ToList(),
                options.Device ?? ExecutionDevice.Cpu, options.QuietBeforeTiming, displayFile);

    /// <summary>
    /// Runs the pruned model on one batch and adds both models' outputs to the evaluations; returns their size as
    /// doubles. The original's batch is read back only once ONNX Runtime has let go of the pruned model's.
    /// </summary>
    private static long CompareBatch(InferenceSession session, List<SyntheticInput> batch, OriginalOutputStore originalOutputs, int index,
        List<OutputEvaluation> evaluations, string displayFile)
    {
        var prunedBatch = Run(session, batch, originalOutputs.OutputNames, displayFile, pruned: true);
        var originalBatch = originalOutputs.Read(index);
        for (var i = 0; i < evaluations.Count; i++)
        {
            evaluations[i].Add(originalBatch[i], CheckSameShape(originalBatch[i], prunedBatch[i], displayFile));
        }

        return Bytes(originalBatch) + Bytes(prunedBatch);
    }

    private static long Bytes(IReadOnlyList<CapturedOutput> batch) => batch.Sum(o => (long)o.Values.Length * sizeof(double));

    /// <summary>
    /// A language model's batch of logits is a gigabyte as doubles ([32, 128, 32 000]). Once compared it is garbage,
    /// but only a full collection frees large arrays, and the collector may put that off until the next batch's arrays
    /// are allocated too: after a batch that large, collect (the caller no longer holds it), so that one batch of each
    /// model is held at a time.
    /// </summary>
    private static void CollectIfLarge(long batchBytes)
    {
        if (batchBytes >= LargeBatchBytes)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        }
    }

    /// <summary>
    /// The original model's outputs are the reference every metric is measured against: NaN or infinite values there
    /// would turn "both NaN" into perfect agreement, or every metric into NaN. Say so instead.
    /// </summary>
    private static void RequireFinite(OriginalOutputSummary output, string modelPath)
    {
        if (output.NonFiniteValues == 0) return;
        throw new ModelPruneException(DiagnosticCodes.NonFiniteOutputs, modelPath,
            $"The original model computes {output.NonFiniteValues} NaN or infinite values in output '{output.Name}' on the evaluation inputs, so no comparison with it means anything. Check the model (warning MP1095 names NaN/infinite weights) and the evaluation or calibration inputs.");
    }

    /// <summary>A requested task that fits no output is most likely a mistake in the setting: say so, in the report too.</summary>
    private static IReadOnlyList<ReportMessage> TaskWarnings(EvaluationTask task, IReadOnlyList<OutputDeviation> deviations)
    {
        var requested = EvaluationTaskNames.ToName(task);
        if (task == EvaluationTask.Auto || deviations.Count == 0 || deviations.Any(d => d.Task == requested))
        {
            return Array.Empty<ReportMessage>();
        }

        var outputs = string.Join("; ", deviations.Select(d => $"'{d.Name}' {d.ElementType}[{string.Join(",", d.Shape)}]: {d.TaskReason}"));
        return new[]
        {
            new ReportMessage(DiagnosticCodes.TaskFitsNoOutput,
                $"Task=\"{requested}\" fits none of the model's outputs ({outputs}). They are compared with the generic deviation only; use Task=\"auto\" or the task that matches the outputs."),
        };
    }

    private static int BatchSize(List<SyntheticInput> batch) =>
        batch.Count > 0 && batch[0].Description.Shape.Count > 0 ? (int)batch[0].Description.Shape[0] : 1;

    private static List<SyntheticInput> FromBatch(CalibrationBatch batch, string values) =>
        batch.Inputs
            .Select(i => new SyntheticInput(new EvaluationInput(i.Name, i.ElementTypeName, i.Shape.ToArray(), values), i.ToOrtValue()))
            .ToList();

    /// <summary>
    /// Both models in deployment sessions (<see cref="OnnxSessionOptions.ForLatency"/>), loaded together and timed in
    /// turns, so that a change in machine load hits both alike; the evaluation sessions run unoptimised graphs, whose
    /// speed says little about a pruned shape.
    /// </summary>
    private static LatencyReport MeasureLatency(string originalPath, string prunedPath, List<SyntheticInput> batch, List<string> outputNames,
        ExecutionDevice device, Task? quiet, string displayFile)
    {
        quiet?.Wait();
        // From the files: deployment sessions fold and prepack the weights, which a session on shared tensors cannot.
        using var original = Open(new ComparedModel(originalPath), device, displayFile, pruned: false, OnnxSessionOptions.ForLatency());
        using var pruned = Open(new ComparedModel(prunedPath), device, displayFile, pruned: true, OnnxSessionOptions.ForLatency());
        var (before, after) = LatencyProbe.InTurns(original, pruned, batch.Select(i => i.Description.Name).ToList(), batch.Select(i => i.Value).ToList(), outputNames);
        return new LatencyReport(device.Name, BatchSize(batch), LatencyProbe.WarmupRuns, LatencyProbe.TimedRuns, before, after);
    }

    /// <summary>
    /// The attention mask as fed, all batches joined, for mean-pooling [batch, sequence, hidden] embeddings: one value
    /// per sample and position, small beside the outputs.
    /// </summary>
    private static CapturedOutput? CaptureMask(IReadOnlyList<List<SyntheticInput>> batches)
    {
        var parts = new List<CapturedOutput>();
        foreach (var batch in batches)
        {
            var mask = batch.FirstOrDefault(i => i.Description.Name == PaddingMask.InputName);
            if (mask is null || OutputCapture.Capture(mask.Description.Name, mask.Value) is not { Strings: null } captured) return null;
            parts.Add(captured);
        }

        return parts.Count == 0 ? null : Join(parts);
    }

    /// <summary>Joins the mask's batches along the first axis.</summary>
    private static CapturedOutput Join(IReadOnlyList<CapturedOutput> parts) =>
        parts.Count == 1 ? parts[0] : parts[0] with { Shape = BatchShapes.Joined(parts.Select(p => p.Shape).ToList()), Values = parts.SelectMany(p => p.Values).ToArray() };

    private static IReadOnlyDictionary<string, long> ReadGatherBounds(string modelPath, string displayFile)
    {
        try
        {
            return GatherIndexBounds.Read(modelPath);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelPruneException(DiagnosticCodes.ModelNotRunnable, displayFile, $"ONNX Runtime cannot run the model: it is not a readable ONNX file ({e.Message}).");
        }
    }

    /// <summary>
    /// A session on the model: from the parsed model when the engine holds it (on the CPU on its own tensors, no parse and
    /// no copy: MiniLM loads in 15–30 ms where ORT reading the file takes 300–600 ms), else from its file.
    /// </summary>
    private static InferenceSession Open(ComparedModel model, ExecutionDevice device, string displayFile, bool pruned, SessionOptions? sessionOptions = null)
    {
        var options = sessionOptions ?? OnnxSessionOptions.ForOnePass();
        try
        {
            device.Configure(options);
            return model.Parsed is { } parsed ? SharedTensorSession.Open(parsed, options, device) : new InferenceSession(model.Path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw NotRunnable(displayFile, pruned, "load", e);
        }
        finally
        {
            // The session copies what it needs from the options when it is created.
            options.Dispose();
        }
    }

    /// <summary>Sequences and maps (e.g. a ZipMap of class probabilities) are left out: only tensors are compared.</summary>
    private static List<string> TensorOutputNames(InferenceSession session) =>
        session.OutputNames.Where(name => session.OutputMetadata[name].IsTensor).ToList();

    /// <summary>One batch's outputs as doubles; <paramref name="store"/>, when given, keeps them too.</summary>
    private static List<CapturedOutput> Run(InferenceSession session, List<SyntheticInput> inputs, IReadOnlyList<string> outputNames, string displayFile, bool pruned,
        OriginalOutputStore? store = null)
    {
        if (outputNames.Count == 0)
        {
            store?.Add(Array.Empty<CapturedOutput>(), Array.Empty<OrtValue>());
            return new List<CapturedOutput>();
        }

        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Description.Name).ToList(), inputs.Select(i => i.Value).ToList(), outputNames);
            var captured = new List<CapturedOutput>(outputNames.Count);
            var index = 0;
            foreach (var value in results)
            {
                var name = outputNames[index++];
                captured.Add(OutputCapture.Capture(name, value) ?? throw new ModelPruneException(
                    DiagnosticCodes.ModelNotRunnable,
                    displayFile,
                    $"Output '{name}' has an element type ModelPrune cannot compare ({value.GetTensorTypeAndShape().ElementDataType})."));
            }

            store?.Add(captured, results.ToList());
            return captured;
        }
        catch (OnnxRuntimeException e)
        {
            var fed = string.Join(", ", inputs.Select(i => $"{i.Description.Name}: {i.Description.ElementType}[{string.Join(",", i.Description.Shape)}]"));
            throw NotRunnable(displayFile, pruned, "run", e, $" Inputs fed: {fed}. If a dimension is wrong, set it with the dimension overrides (e.g. batch=1;sequence=128).");
        }
    }

    private static CapturedOutput CheckSameShape(CapturedOutput original, CapturedOutput pruned, string displayFile)
    {
        if (original.Type != pruned.Type || !original.Shape.SequenceEqual(pruned.Shape))
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelNotRunnable,
                displayFile,
                $"The pruned model's output '{original.Name}' is {ElementTypeNames.Of(pruned.Type)}[{string.Join(",", pruned.Shape)}] but the original's is "
                + $"{ElementTypeNames.Of(original.Type)}[{string.Join(",", original.Shape)}]. This is a ModelPrune bug; please report it.");
        }

        return pruned;
    }

    private static ModelPruneException NotRunnable(string displayFile, bool pruned, string stage, OnnxRuntimeException e, string hint = "")
    {
        // Only ORT's message: its stack trace means nothing to someone fixing their model.
        var message = pruned
            ? $"ONNX Runtime could not {stage} the pruned model although it could {stage} the original; this is a ModelPrune bug, please report it. ONNX Runtime said: {e.Message}"
            : $"ONNX Runtime cannot {stage} the model: {e.Message}{hint}";
        return new ModelPruneException(DiagnosticCodes.ModelNotRunnable, displayFile, message);
    }
}
