using System.CommandLine;
using ModelPrune.Engine.Baseline;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;

namespace ModelPrune.Engine.Cli;

/// <summary>
/// <c>modelprune prune|inspect|batch|baseline</c>. Expected failures print as <c>path: error MPxxxx: message</c>
/// and exit 1; nothing prints a stack trace.
/// </summary>
public static class CommandLine
{
    /// <param name="stepSummaryPath">GITHUB_STEP_SUMMARY as the process found it: summaries are appended there.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, string? stepSummaryPath = null)
    {
        var summaryPath = string.IsNullOrWhiteSpace(stepSummaryPath) ? null : stepSummaryPath;
        var root = new RootCommand("ModelPrune: prune ONNX models (magnitude, N:M) and report what it cost.")
        {
            PruneCommand(output, summaryPath),
            InspectCommand(output),
            RoundTripCommand(output),
            BatchCommand(output, summaryPath),
            BaselineCommand(output),
        };

        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (ModelPruneException e)
        {
            output.WriteLine(e.Diagnostic);
            return 1;
        }
        catch (Exception e)
        {
            output.WriteLine(Diagnostic.Error(DiagnosticCodes.InternalError, "modelprune",
                $"Internal error: {e.GetType().Name}: {e.Message}. Please report it."));
            return 1;
        }
    }

    private static Command PruneCommand(TextWriter output, string? stepSummaryPath)
    {
        var model = new Argument<string>("model") { Description = "The ONNX model to prune (never modified)." };
        var outputPath = new Option<string>("--output", "-o") { Description = "Where to write the pruned model.", Required = true };
        var report = new Option<string?>("--report") { Description = "Report JSON path (default: <output>.prune.json; .md and .run.json beside it)." };
        var sparsity = new Option<string?>("--sparsity") { Description = "Fraction of weights to remove, in [0, 1) (default 0.5, or N/M with --pattern); for the structured methods, the fraction of prunable parameters removed with whole units." };
        var method = new Option<string?>("--method") { Description = "magnitude (per layer, default), global-magnitude, wanda or sparsegpt (the last two need --calibration); structured: magnitude-l2 (default with --structure), maw or flap (needs --calibration)." };
        var calibration = new Option<string?>("--calibration") { Description = "Calibration data for wanda/sparsegpt/flap: ';'-separated .npz/.npy files or globs (arrays named after the model inputs, first axis = samples), or 'synthetic'." };
        var calibrationSamples = new Option<string?>("--calibration-samples") { Description = "How many calibration samples to use (default 128)." };
        var allocation = new Option<string?>("--allocation") { Description = "uniform (default); owl: per-layer sparsity by outlier share, within +-0.08 of the target; global: one threshold on |W|*||X|| over all layers (wanda/sparsegpt, unstructured); structured: uniform or global (unit scores ranked across layers; default for flap)." };
        var pattern = new Option<string?>("--pattern") { Description = "unstructured (default) or N:M, e.g. 2:4 (N of every M zeroed along the input dimension)." };
        var maxLayer = new Option<string?>("--max-layer-sparsity") { Description = "global-magnitude and --allocation global: no layer pruned past this (default max(0.95, sparsity))." };
        var calibrationMode = new Option<string?>("--calibration-mode") { Description = "one-pass (default: every layer measured on the dense model) or sequential (layers pruned in order, each measured on the already-pruned model's activations)." };
        var minLayer = new Option<string?>("--min-layer-sparsity") { Description = "--allocation global: every layer pruned at least this much (default 0)." };
        var include = new Option<string?>("--include") { Description = "Layers to prune: ';'-separated globs or regex:... (default all)." };
        var exclude = new Option<string?>("--exclude") { Description = "Layers to keep dense: ';'-separated globs or regex:..." };
        var seed = new Option<string?>("--seed") { Description = "Seed of the synthetic evaluation inputs (default 42)." };
        var dims = new Option<string?>("--dims") { Description = "Symbolic dimension sizes for evaluation, e.g. batch=4;sequence=32." };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the result cache." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Cache folder (default MODELPRUNE_CACHE_DIR or the user cache folder)." };
        var device = new Option<string?>("--device") { Description = "Where ONNX Runtime runs calibration and evaluation: auto (CUDA if a CUDA session can be created, else CPU; default), cpu or cuda." };
        var evaluation = new Option<string?>("--evaluation") { Description = "Evaluation data: an .npz with an array per model input and optional 'labels' (or 'labels_<output>'), samples on the first axis." };
        var evaluationSamples = new Option<string?>("--evaluation-samples") { Description = "How many evaluation samples to compare the models on (default 256)." };
        var sweep = new Option<string?>("--sweep") { Description = "Extra sparsities for the metric-versus-sparsity curve, e.g. 0.3;0.5;0.7 (each one prunes and evaluates the model again)." };
        var task = new Option<string?>("--task") { Description = "auto (default: guessed from each output's shape), classification, embedding, regression or language-model: which metrics the evaluation reports." };
        var structure = new Option<string?>("--structure") { Description = "none (default: single weights zeroed, shapes kept), auto, neurons, heads or filters: remove whole units with a structured --method; the model gets smaller." };
        var minUnits = new Option<string?>("--min-units") { Description = "Structured: units (neurons, heads, filters) every pruned layer keeps at least (default 1)." };
        var unitMultiple = new Option<string?>("--unit-multiple") { Description = "Structured: every pruned layer keeps a multiple of this many units, e.g. 8 (default 1)." };
        var nativeDir = new Option<string?>("--onnxruntime-native-dir") { Description = "Folder with another ONNX Runtime native library to load (e.g. the GPU build's runtimes/linux-x64/native)." };

        var command = new Command("prune", "Prune one model and write the pruned model and its report.")
        {
            model, outputPath, report, sparsity, method, pattern, maxLayer, minLayer, include, exclude, seed, dims, calibration, calibrationSamples, calibrationMode, allocation, noCache, cacheDir,
            device, nativeDir, evaluation, evaluationSamples, task, sweep, structure, minUnits, unitMultiple,
        };
        command.SetAction(result =>
        {
            var settings = new RawSettings(
                result.GetValue(sparsity), result.GetValue(method), result.GetValue(pattern), result.GetValue(maxLayer),
                result.GetValue(include), result.GetValue(exclude), result.GetValue(seed), result.GetValue(dims),
                result.GetValue(calibration), result.GetValue(calibrationSamples), result.GetValue(allocation),
                result.GetValue(minLayer), result.GetValue(calibrationMode), result.GetValue(device),
                result.GetValue(evaluation), result.GetValue(evaluationSamples), result.GetValue(task), result.GetValue(sweep),
                result.GetValue(structure), result.GetValue(minUnits), result.GetValue(unitMultiple));
            var job = ModelJob.WithDefaultReportPaths(result.GetValue(model)!, result.GetValue(outputPath)!, result.GetValue(report), settings);
            var request = new BatchRequest(new CacheOptions(!result.GetValue(noCache), result.GetValue(cacheDir)), new[] { job }, result.GetValue(nativeDir), stepSummaryPath);
            return BatchRunner.Run(request, output);
        });
        return command;
    }

    private static Command InspectCommand(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "The ONNX model to list." };
        var units = new Option<bool>("--units") { Description = "Also list the unit groups structured pruning finds (neurons, heads, filters), or why each is left alone; runs the model once on seeded inputs." };
        var command = new Command("inspect", "List the prunable layers of a model: names, shapes, parameter counts.") { model, units };
        command.SetAction(result => ModelInspector.Print(result.GetValue(model)!, output, result.GetValue(units)));
        return command;
    }

    /// <summary>Read and write a model without changing it: the I/O floor the prune benchmark is held to.</summary>
    private static Command RoundTripCommand(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "The ONNX model to read." };
        var outputPath = new Option<string>("--output", "-o") { Description = "Where to write it (external data inlined).", Required = true };
        var command = new Command("roundtrip", "Read a model and write it back unchanged, with external data inlined.") { model, outputPath };
        command.SetAction(result =>
        {
            var source = Path.GetFullPath(result.GetValue(model)!);
            var destination = Path.GetFullPath(result.GetValue(outputPath)!);
            if (string.Equals(source, destination, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelPruneException(DiagnosticCodes.OutputWouldOverwriteInput, source,
                    "The output is the input model itself; ModelPrune never overwrites a user's model. Choose another output path.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            OnnxModelWriter.WriteAtomic(OnnxModelReader.Read(source).Proto, destination);
            output.WriteLine($"{destination}: written ({new FileInfo(destination).Length} bytes)");
            return 0;
        });
        return command;
    }

    private static Command BatchCommand(TextWriter output, string? stepSummaryPath)
    {
        var request = new Argument<string>("request") { Description = "Request JSON written by the ModelPrune MSBuild task." };
        var command = new Command("batch", "Prune every model of a request file (used by the MSBuild task).") { request };
        command.SetAction(result => BatchRunner.Run(BatchRequestReader.Read(Path.GetFullPath(result.GetValue(request)!)) with { StepSummaryPath = stepSummaryPath }, output));
        return command;
    }

    private static Command BaselineCommand(TextWriter output)
    {
        var report = new Option<string>("--report") { Description = "The new report (<name>.prune.json) to check.", Required = true };
        var baseline = new Option<string>("--baseline") { Description = "The checked-in baseline report; created from --report when missing.", Required = true };
        var maxDrop = new Option<string?>("--max-metric-drop") { Description = "How much any metric may get worse: an amount (default 0.01) or a share of the baseline value (2%)." };
        var tolerances = new Option<string?>("--tolerances") { Description = "Per-metric tolerances, e.g. cosine=0.005;top1Agreement=0.02;perplexity=2%." };
        var compareHash = new Option<string?>("--compare-model-hash") { Description = "true: the pruned model must be bit-identical to the baseline's (default false)." };
        var accept = new Option<bool>("--accept") { Description = "Overwrite the baseline with the new report." };
        var strict = new Option<bool>("--strict") { Description = "Fail instead of creating a missing baseline (for CI)." };
        var name = new Option<string?>("--name") { Description = "The model's name in messages (default: the report's file name)." };
        var command = new Command("baseline", "Check a report against its baseline: metrics within tolerance, layers and sparsity unchanged.")
        {
            report, baseline, maxDrop, tolerances, compareHash, accept, strict, name,
        };
        command.SetAction(result => BaselineGate.Run(
            new BaselineOptions(
                result.GetValue(report)!, result.GetValue(baseline)!, result.GetValue(maxDrop), result.GetValue(tolerances),
                result.GetValue(compareHash), result.GetValue(accept), result.GetValue(strict), result.GetValue(name)),
            output));
        return command;
    }
}
