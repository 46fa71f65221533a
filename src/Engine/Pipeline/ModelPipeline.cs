using System.Diagnostics;
using System.Runtime.CompilerServices;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Caching;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Search;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// One model, start to finish: validate settings, read, look up the cache, prune, write, evaluate, report.
/// Results are staged under temporary names and renamed at the end, so a failure never leaves a
/// half-written file under an output name.
/// </summary>
internal static class ModelPipeline
{
    public static ModelOutcome Run(ModelJob job, CacheOptions cacheOptions)
    {
        var printed = new List<Diagnostic>();
        // Disposed on every path: whatever was staged and not committed is removed.
        using var staged = new StagedOutputs();
        try
        {
            var (report, cacheStatus) = Prune(job, cacheOptions, printed, staged);
            printed.InsertRange(0, report.Warnings.Select(w => Diagnostic.Warning(w.Code, job.ModelPath, w.Message)));
            return new ModelOutcome(true, SummaryLine.Format(job.DisplayName, report, cacheStatus), printed, ReportMarkdown.RenderSummaryTable(report, job.DisplayName));
        }
        catch (ModelPruneException e)
        {
            // Lower layers that do not know the file (a tensor deep in the model) leave it empty.
            printed.Add(string.IsNullOrEmpty(e.Diagnostic.File) ? e.Diagnostic with { File = job.ModelPath } : e.Diagnostic);
            return new ModelOutcome(false, null, printed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            printed.Add(Diagnostic.Error(DiagnosticCodes.OutputUnwritable, job.ModelPath,
                $"Could not write the results of this model ({e.Message}). Check that the output folder is writable and has free space."));
            return new ModelOutcome(false, null, printed);
        }
    }

    // Fully optimised from the first call: tier-0 code keeps every local and temporary alive to the end of the method,
    // which would keep the parsed model (as large as the file) in memory while the timed sessions load both files.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (PruneReport Report, string CacheStatus) Prune(ModelJob job, CacheOptions cacheOptions, List<Diagnostic> printed, StagedOutputs staged)
    {
        var total = Stopwatch.StartNew();
        var timings = new List<RunTiming>();
        var file = job.ModelPath;
        var settings = PruneSettingsParser.Parse(job.Settings, file);
        OutputGuard.CheckOutputs(job);
        foreach (var output in job.Outputs) AtomicFile.RemoveStale(output);

        var stage = Stopwatch.StartNew();
        var model = OnnxModelReader.Read(job.ModelPath, ModelFileTensors.MapFrom(calibrated: settings.CalibrationData is not null));
        timings.Add(Lap("read", stage));

        var log = new DiagnosticLog();
        var calibration = LoadCalibration(settings, model, job.ResolvedBaseDirectory, log, file);
        var evaluationData = settings.EvaluationData is null
            ? null
            : EvaluationDataLoader.Load(settings.EvaluationData, job.ResolvedBaseDirectory, ModelInputSignature.FromModel(model.Proto), settings.EvaluationSamples, file);
        OutputGuard.Check(job, RunInputs(job, settings, model));
        var device = ResolveDevice(settings, printed, file);
        var cache = OpenCache(cacheOptions);
        var key = CacheKey.Compute(model.ContentSha256, settings.CanonicalText + CalibrationKey(calibration) + EvaluationKey(evaluationData) + DeviceKey(device), EngineVersion.BuildIdentity);
        var cacheStatus = cache is null ? "disabled" : "miss";
        if (cache is not null)
        {
            switch (cache.TryGet(key, out var cached))
            {
                // The stored model names its data file after the output it was written as; under another output name
                // it would point at a file that is not there, so it is pruned again (and the entry replaced).
                case CacheLookup.Hit when cached!.DataFileName is { } dataName && dataName != Path.GetFileName(job.ExternalDataPath):
                    break;
                case CacheLookup.Hit when ReportJson.TryDeserialize(cached!.ReportJson) is { } cachedReport:
                    // The key is the content, not the file names: the same model under another name (or
                    // written to another output) is a hit, so the names in the report are this job's.
                    var fromCache = cachedReport with
                    {
                        Input = cachedReport.Input with { FileName = Path.GetFileName(job.ModelPath) },
                        Output = cachedReport.Output with { FileName = Path.GetFileName(job.OutputPath) },
                    };
                    // The data file first: the commit renames in this order, so the new model never stands without it.
                    if (cached.DataPath is { } cachedData) staged.Copy(cachedData, job.ExternalDataPath);
                    else staged.DeleteOnCommit(job.ExternalDataPath);
                    staged.Copy(cached.ModelPath, job.OutputPath);
                    staged.Write(job.ReportPath, ReportJson.Serialize(fromCache));
                    staged.Write(job.SummaryPath, ReportSummaryText.Serialize(fromCache));
                    timings.Add(Lap("cache", stage));
                    StageRunFiles(staged, job, fromCache, new RunInfo("hit", device.Description, Finish(timings, total)));
                    staged.Commit();
                    return (fromCache, "hit");
                // A hit whose report does not parse (its hashes match, so it was written that way) is as useless as a corrupt one.
                case CacheLookup.Hit or CacheLookup.Corrupt:
                    printed.Add(Diagnostic.Warning(DiagnosticCodes.CacheEntryCorrupt, file,
                        $"The cache entry for this model in '{cache.Root}' failed its hash check or cannot be read; pruning again and replacing it."));
                    cacheStatus = "replaced-corrupt";
                    break;
            }
        }

        // The "before" side of the cost, measured before pruning changes the model in place.
        var (parametersBefore, zerosBefore) = ModelParameterCounter.CountFloatParameters(model.Proto);
        // Compressing is the slowest measurement (seconds on a 90 MB model), so it runs beside the pruning and the
        // evaluation on the other core, and the original's is kept in the cache for the next build of the same model.
        // It reads the files (the .onnx and any external data files, which pruning never writes: their tensors are
        // mapped copy-on-write), not the model being pruned in place.
        var modelPath = job.ModelPath;
        var dataFiles = model.ExternalDataFiles;
        var inputDataBytes = dataFiles.Sum(f => new FileInfo(f).Length);
        var contentSha256 = model.ContentSha256;
        var sizeCache = cache is null ? null : new CompressedSizeCache(cache.Root);
        // The model's content hash covers every file, so it (with the file's place) also keys each data file's record.
        GzipBlocks MeasureFile(string path, string key) => sizeCache is null ? GzipBlocks.Measure(path) : sizeCache.GetOrMeasure(key, path);
        var originalBlocks = Task.Run(() => GzipBlocks.Combine(
            new[] { MeasureFile(modelPath, contentSha256) }
                .Concat(dataFiles.Select((data, index) => MeasureFile(data, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{contentSha256}-data{index}"))))
                .ToArray()));
        var gzipBefore = originalBlocks.ContinueWith(t => t.GetAwaiter().GetResult().Size, TaskScheduler.Default);
        timings.Add(Lap("measure", stage));

        var calibrationSplit = calibration is null ? null : CalibrationSplit.Of(calibration);
        // Read before pruning for the report; the stage finds the same input itself.
        var paddingMask = calibration is null ? null : PaddingMask.Find(model.Proto);
        var fixedBatchSize = ModelBatchSize.Fixed(ModelInputSignature.FromModel(model.Proto));
        var evaluationSamples = EvaluationSamples(evaluationData, calibrationSplit, fixedBatchSize, file);
        // Read before quantization moves embedding tables behind DequantizeLinear, where their row count is no longer a constant.
        var gatherIndexBounds = GatherIndexBounds.Find(model.Proto.Graph);

        // A search's probes, a sweep's points and the final comparison all compare with the same original on the same
        // samples: it runs once. Disposing the memo removes the outputs it spilled to a temporary file.
        using var originalOutputs = evaluationSamples is not null && (settings.Search is not null || settings.SweepSparsities.Count > 0) ? new OriginalOutputMemo() : null;
        var evaluationOptions = new EvaluationOptions(settings.Seed, settings.Dimensions, gatherIndexBounds, device,
            evaluationSamples, settings.Task, OriginalOutputs: originalOutputs);

        // The original runs now, on the parsed model's own tensors, before pruning changes them in place: ONNX Runtime
        // neither reads the file again nor copies the weights.
        using var original = ModelComparer.RunOriginal(new ComparedModel(job.ModelPath, model.Proto), evaluationOptions, file);
        timings.Add(Lap("original", stage));

        // Sparsity="auto": the statistics are collected once (the memo) and serve every probe and the final prune.
        StatisticsMemo? memo = null;
        SearchResult? search = null;
        var requested = settings;
        if (settings.Search is not null)
        {
            if (evaluationSamples is null) throw PruneSettingsParser.NoEvaluationData(file);
            memo = new StatisticsMemo();
            search = SearchRunner.Run(job, settings, model, calibrationSplit, evaluationOptions, memo, file);
            var searched = settings.Search.Setting;
            settings = search.ChosenSettings;
            if (searched == SearchedSetting.Quantize && settings.Quantization is null)
            {
                log.Warn(DiagnosticCodes.SearchFoundNoCompression, file,
                    $"Quantize=\"auto\": no choice of int4 and int8 per layer kept {search.Original.Name} within MaxMetricDrop of the original ({ReportFormat.Metric(search.Original.Original)}): {search.StopReason}. The model is written without quantized weights. Allow a larger drop, lower the Sparsity, or check the evaluation data.");
            }
            else if (searched == SearchedSetting.Sparsity && search.Chosen.Total == 0)
            {
                var first = search.Trace.Where(p => p.Phase == "global").OrderBy(p => p.Sparsity).First();
                log.Warn(DiagnosticCodes.SearchFoundNoCompression, file, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Sparsity=\"auto\": no probed sparsity kept {search.Original.Name} within MaxMetricDrop of the original ({ReportFormat.Metric(search.Original.Original)}); the smallest, {first.Sparsity:0.#%}, gave {ReportFormat.Metric(first.Metric)}. The model is written unpruned. Allow a larger drop, or check the evaluation data."));
            }

            timings.Add(Lap("search", stage));
        }

        var pair = PlanPair(model, settings, job, staged, file);
        var pruning = LayerPruningStage.Apply(model, settings, calibrationSplit, log, file, memo, pair?.Planned);
        var layers = pruning.Layers;
        var (modelParameters, modelZeros) = ModelParameterCounter.CountFloatParameters(model.Proto);
        timings.Add(Lap("prune", stage));

        QuantizationReport? quantization = null;
        if (settings.Quantization is { } quantize)
        {
            (layers, quantization) = QuantizationStage.Apply(model, settings, quantize, pruning, calibrationSplit, log, file, memo);
            timings.Add(Lap("quantize", stage));
        }

        // What pruning and quantization replaced is garbage by now (their working arrays; a quantized model's float
        // weights, as large as the file): collect it before the write and the evaluation, and hand it back to the OS,
        // which a normal collection does not (MiniLM with wanda: 60 MB).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var (stagedModel, stagedData, written) = pair is { } planned
            ? (planned.Model, planned.Data, OnnxModelWriter.WriteWithExternalData(model.Proto, planned.Model, planned.Data, prefilled: true))
            : WriteModel(model, settings, job, staged, file);
        // Blocks the pruning left as they were take their size from the original's measurement.
        var gzipAfter = Task.Run(async () => GzipBlocks.MeasureModel(stagedModel, stagedData, await originalBlocks));
        // As output.bytes and input.sha256 do, the input's size covers its external data files.
        var input = new ModelFileInfo(Path.GetFileName(job.ModelPath), model.ContentSha256, model.FileBytes + inputDataBytes);
        // Latency follows the settings a search chose (Quantize="auto" may have turned quantization on).
        evaluationOptions = evaluationOptions with
        {
            MeasureLatency = settings.TimesLatency,
            // Compressing runs on the other core; timing waits for it, so that it does not slow one model and not the other.
            // A failure of theirs surfaces where their sizes are read, not here.
            QuietBeforeTiming = Task.WhenAll(gzipBefore, gzipAfter).ContinueWith(_ => { }, TaskScheduler.Default),
        };
        timings.Add(Lap("write", stage));

        // The pruned model runs on the parsed model's tensors too: they are what was just written.
        var comparison = ModelComparer.ComparePruned(original, new ComparedModel(stagedModel, model.Proto), evaluationOptions, file);
        if (evaluationOptions.MeasureLatency)
        {
            // The timed sessions load both files with every optimisation, each holding its own weights: the parsed model
            // goes first. An aggressive collection also hands the freed memory back to the OS, where a normal one keeps
            // it committed (MiniLM int8: peak 487 MB with the parsed model kept, 368 MB without).
            model = null;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            comparison = comparison with { Latency = ModelComparer.TimeLatency(original, stagedModel, evaluationOptions, file) };
        }

        foreach (var warning in comparison.Warnings) log.Warn(warning.Code, file, warning.Message);
        timings.Add(Lap("evaluate", stage));

        var (compressedBefore, compressedAfter) = (gzipBefore.GetAwaiter().GetResult(), gzipAfter.GetAwaiter().GetResult());
        var cost = new CostReport(input.Bytes, written.Bytes, compressedBefore.Bytes, compressedAfter.Bytes,
            parametersBefore - zerosBefore, modelParameters - modelZeros,
            compressedBefore.Estimated || compressedAfter.Estimated ? true : null);
        timings.Add(Lap("compress", stage));

        var totals = ReportTotalsBuilder.Build(layers, modelParameters, modelZeros);
        IReadOnlyList<SweepPoint>? sweep = null;
        if (settings.SweepSparsities.Count > 0 && KeyMetric.Numeric(comparison.Report) is var (metric, value))
        {
            var main = new SweepPoint(settings.Sparsity, totals.PrunableSparsity, metric, value, written.Bytes, cost.GzipBytesAfter);
            sweep = SparsitySweep.Run(job, settings, calibrationSplit, evaluationOptions, main, file);
            timings.Add(Lap("sweep", stage));
        }

        var report = new PruneReport(
            PruneReport.CurrentSchema,
            new EngineInfo(EngineVersion.Name, EngineVersion.Current),
            input,
            new ModelFileInfo(Path.GetFileName(job.OutputPath), written.Sha256, written.Bytes),
            new ReportSettings(settings.MethodName, settings.Sparsity, settings.Pattern.ToString(), settings.MaxLayerSparsity,
                settings.Include, settings.Exclude, settings.Seed, settings.DimensionList,
                calibrationSplit is { } split
                    ? new CalibrationReport(settings.CalibrationData!, calibration!.Sha256, split.Fit.SampleCount, calibration.IsSynthetic, split.HeldOut.SampleCount, settings.CalibrationModeName, paddingMask)
                    : null,
                settings.IsStructured ? null : settings.AllocationName,
                settings.MinLayerSparsityForReport,
                settings.StructureName),
            layers,
            totals,
            comparison.Report,
            log.Items.Select(d => new ReportMessage(d.Code, d.Message)).ToArray(),
            cost,
            sweep,
            pruning.Structured,
            quantization,
            search is null ? null : SearchReportOf(search, requested.Search!, comparison.Report, memo!, totals));
        var reportJson = ReportJson.Serialize(report);

        staged.Write(job.ReportPath, reportJson);
        staged.Write(job.SummaryPath, ReportSummaryText.Serialize(report));
        StageRunFiles(staged, job, report, new RunInfo(cacheStatus, device.Description, Finish(timings, total), comparison.Latency));
        staged.Commit();
        StoreInCache(cache, key, job, reportJson, stagedData is null ? null : job.ExternalDataPath, printed);
        return (report, cacheStatus);
    }

    /// <summary>
    /// Stages the pruned model: one file, or (ExternalData, or past the 2 GiB protobuf limit) the model and its data file
    /// as a pair in a staging folder, where ONNX Runtime finds the data file by the name the model gives it. A model
    /// written in one piece takes away the data file an earlier run may have left beside the output.
    /// </summary>
    private static (string Model, string? Data, WrittenModel Written) WriteModel(OnnxModel model, PruneSettings settings, ModelJob job, StagedOutputs staged, string file)
    {
        if (OnnxModelWriter.UsesExternalData(model.Proto, settings.ExternalData, file))
        {
            var (stagedModel, stagedData) = staged.ReservePair(job.OutputPath, job.ExternalDataPath);
            return (stagedModel, stagedData, OnnxModelWriter.WriteWithExternalData(model.Proto, stagedModel, stagedData));
        }

        var inline = staged.Reserve(job.OutputPath);
        var written = OnnxModelWriter.WriteAtomic(model.Proto, inline);
        staged.DeleteOnCommit(job.ExternalDataPath);
        return (inline, null, written);
    }

    /// <summary>
    /// The staged pair a mapped model will be written as, planned before pruning so that each pruned tensor goes straight
    /// to its place in the data file (<see cref="PlannedDataFile"/>): when the output has a data file and nothing changes a
    /// tensor's size (no structured pruning, no quantization), else null. Not on Windows: there the staged data file
    /// would be renamed into place while mapped, which this project has no machine to test.
    /// </summary>
    private static (string Model, string Data, PlannedDataFile Planned)? PlanPair(OnnxModel model, PruneSettings settings, ModelJob job, StagedOutputs staged, string file)
    {
        if (OperatingSystem.IsWindows() || settings.IsStructured || settings.Quantization is not null || settings.ExternalData == ExternalDataMode.Never
            || !model.Proto.Graph.Initializer.Any(t => MappedDataFile.IsMapped(t.RawData.Memory))
            || !OnnxModelWriter.UsesExternalData(model.Proto, settings.ExternalData, file))
        {
            return null;
        }

        var (stagedModel, stagedData) = staged.ReservePair(job.OutputPath, job.ExternalDataPath);
        return (stagedModel, stagedData, ExternalDataWriter.Plan(model.Proto, stagedData));
    }

    /// <summary>Calibration data for the methods that need it.</summary>
    private static CalibrationSet? LoadCalibration(PruneSettings settings, OnnxModel model, string baseDirectory, DiagnosticLog log, string file)
    {
        if (settings.CalibrationData is null) return null;

        var calibration = CalibrationLoader.Load(settings.CalibrationData, baseDirectory,
            ModelInputSignature.FromModel(model.Proto), settings.CalibrationSamples, settings.Seed, file);
        if (calibration.IsSynthetic)
        {
            log.Warn(DiagnosticCodes.SyntheticCalibration, file,
                $"{settings.MethodName} is calibrated on seeded random inputs (CalibrationData=\"synthetic\"): its statistics describe noise, not your data. Give real calibration samples.");
        }

        return calibration;
    }

    /// <summary>
    /// Where ONNX Runtime runs this model's sessions. A fallback of Device="auto" is said once per model: as
    /// a warning when the GPU build of ORT was given (someone meant to use it), else as information, since
    /// the CPU build that ships with ModelPrune cannot do otherwise. It goes to the console and the run
    /// record, never into the deterministic report.
    /// </summary>
    private static ExecutionDevice ResolveDevice(PruneSettings settings, List<Diagnostic> printed, string file)
    {
        var device = ExecutionDeviceResolver.Shared.Resolve(settings.Device, file);
        if (device.FallbackReason is { } reason)
        {
            var message = $"Device=\"auto\": ONNX Runtime runs on the CPU because it cannot create a CUDA session: {reason}. "
                + "To use an NVIDIA GPU: ModelPruneOnnxRuntimeGpu=true (--onnxruntime-native-dir) with CUDA 13 and cuDNN 9 installed. "
                + "Device=\"cpu\" skips the check; Device=\"cuda\" makes this an error.";
            printed.Add(OnnxRuntimeNativeLibrary.LoadedFrom is null
                ? Diagnostic.Info(DiagnosticCodes.CudaFallback, file, message)
                : Diagnostic.Warning(DiagnosticCodes.CudaFallback, file, message));
        }

        return device;
    }

    /// <summary>
    /// The device that ran joins the cache key: CUDA and the CPU sum floats in other orders, so statistics,
    /// pruned weights (wanda/sparsegpt) and the report's metrics can differ in the last bits.
    /// </summary>
    private static string DeviceKey(ExecutionDevice device) => "\ndevice=" + device.Name;

    /// <summary>
    /// What the models are compared on: EvaluationData first, then the calibration samples the statistics did not
    /// see, else null (seeded synthetic inputs).
    /// </summary>
    private static EvaluationSampleSet? EvaluationSamples(EvaluationData? data, CalibrationSplit? calibrationSplit, long? fixedBatchSize, string file)
    {
        if (data is not null)
        {
            return EvaluationSampleSet.From(data, fixedBatchSize) ?? throw new ModelPruneException(DiagnosticCodes.TooFewEvaluationSamples, file,
                $"The evaluation data '{data.Source}' gives {data.Samples.SampleCount} samples (after EvaluationSamples), fewer than the batch size of {fixedBatchSize} the model's inputs fix; give at least one full batch.");
        }

        return EvaluationBatch.From(calibrationSplit, fixedBatchSize) is { } heldOut ? EvaluationSampleSet.From(heldOut) : null;
    }

    /// <summary>The evaluation file's content joins the cache key: other data gives another report.</summary>
    private static string EvaluationKey(EvaluationData? data) =>
        data is null ? string.Empty : $"\nevaluationContent={data.Sha256}:{data.Samples.SampleCount}";

    /// <summary>The calibration content joins the cache key: the same settings on other data give another result.</summary>
    private static string CalibrationKey(CalibrationSet? calibration) =>
        calibration is null ? string.Empty : $"\ncalibrationContent={calibration.Sha256}:{calibration.SampleCount}";

    /// <summary>Every file this run reads: none of them may be an output.</summary>
    private static IEnumerable<RunInput> RunInputs(ModelJob job, PruneSettings settings, OnnxModel model)
    {
        yield return new RunInput("the input model", job.ModelPath);
        foreach (var external in model.ExternalDataFiles) yield return new RunInput("an external data file of the input model", external);
        if (settings.CalibrationData is { } calibration && !string.Equals(calibration.Trim(), CalibrationLoader.Synthetic, StringComparison.OrdinalIgnoreCase))
        {
            foreach (var path in CalibrationFiles.Resolve(calibration, job.ResolvedBaseDirectory, job.ModelPath)) yield return new RunInput("the calibration data", path);
        }

        if (settings.EvaluationData is { } evaluation) yield return new RunInput("the evaluation data", Path.GetFullPath(evaluation, job.ResolvedBaseDirectory));
    }

    private static PruneCache? OpenCache(CacheOptions options) =>
        options.Enabled ? new PruneCache(CacheLocation.Resolve(options.Directory)) : null;

    private static void StoreInCache(PruneCache? cache, string key, ModelJob job, byte[] reportJson, string? dataPath, List<Diagnostic> printed)
    {
        if (cache is null) return;
        try
        {
            cache.Put(key, job.OutputPath, reportJson, dataPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            printed.Add(Diagnostic.Warning(DiagnosticCodes.CacheUnwritable, job.ModelPath,
                $"Could not store the result in the cache folder '{cache.Root}' ({e.Message}); continuing without the cache. Set ModelPruneCacheDir (or MODELPRUNE_CACHE_DIR) to a writable folder, or ModelPruneCache=false."));
        }
    }

    private static void StageRunFiles(StagedOutputs staged, ModelJob job, PruneReport report, RunInfo run)
    {
        staged.Write(job.RunInfoPath, RunInfoJson.Serialize(run));
        staged.Write(job.MarkdownPath, System.Text.Encoding.UTF8.GetBytes(ReportMarkdown.Render(report, run)));
        staged.Write(job.HtmlPath, System.Text.Encoding.UTF8.GetBytes(ReportHtml.Render(report)));
    }

    private static SearchReport SearchReportOf(SearchResult search, SearchSettings target, EvaluationReport evaluation, StatisticsMemo memo, ReportTotals totals)
    {
        // The final prune is the chosen probe again (same settings, same statistics): its metric is the probe's.
        var chosen = SearchMetric.From(evaluation) ?? search.Original;

        return new SearchReport(
            target.Setting == SearchedSetting.Quantize ? "quantize" : "sparsity",
            chosen.Name,
            chosen.Output,
            chosen.Field,
            chosen.Original,
            chosen.Value,
            target.MaxDrop.Amount,
            target.DropTypeName,
            MetricRounding.Round6(target.MaxDrop.AllowedWorseningFrom(chosen.Original)),
            target.Budget,
            search.Trace.Count,
            memo.Collected,
            totals.PrunableSparsity,
            search.Restored,
            search.StopReason,
            search.Trace,
            search.Sensitivity);
    }

    private static RunTiming Lap(string name, Stopwatch stage)
    {
        var timing = new RunTiming(name, Math.Round(stage.Elapsed.TotalMilliseconds, 1));
        stage.Restart();
        return timing;
    }

    private static IReadOnlyList<RunTiming> Finish(List<RunTiming> timings, Stopwatch total)
    {
        timings.Add(new RunTiming("total", Math.Round(total.Elapsed.TotalMilliseconds, 1)));
        return timings;
    }
}
