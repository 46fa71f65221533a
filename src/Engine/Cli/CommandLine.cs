using System.CommandLine;
using ModelPrune.Engine.Baseline;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Progress;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Cli;

/// <summary>
/// <c>modelprune prune|inspect|batch|baseline</c>. Expected failures print as <c>path: error MPxxxx: message</c>
/// and exit 1; nothing prints a stack trace.
/// </summary>
internal static class CommandLine
{
    /// <param name="stepSummaryPath">GITHUB_STEP_SUMMARY as the process found it: summaries are appended there.</param>
    /// <param name="console">Where progress goes by default (a terminal or not) and how often; null: in process, no default progress.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, string? stepSummaryPath = null, ProgressConsole? console = null)
    {
        var summaryPath = string.IsNullOrWhiteSpace(stepSummaryPath) ? null : stepSummaryPath;
        var progress = new ProgressOptions(error, console);
        var root = new RootCommand("ModelPrune: prune ONNX models (magnitude, N:M) and report what it cost.")
        {
            PruneCommand(output, summaryPath, progress),
            InspectCommand(output),
            RoundTripCommand(output),
            BatchCommand(output, summaryPath, progress),
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

    internal static Command PruneCommand(TextWriter output, string? stepSummaryPath, ProgressOptions? progress = null)
    {
        progress ??= new ProgressOptions(TextWriter.Null, null);
        var model = new Argument<string>("model") { Description = "The ONNX model to prune (never modified)." };
        var outputPath = new Option<string>("--output", "-o") { Description = "Where to write the pruned model.", Required = true };
        var report = new Option<string?>("--report") { Description = "Report JSON path (default: <output>.prune.json; .summary, .md, .html and .run.json beside it)." };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the result cache." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Cache folder (default MODELPRUNE_CACHE_DIR or the user cache folder)." };
        var nativeDir = new Option<string?>("--onnxruntime-native-dir") { Description = "Folder with another ONNX Runtime native library to load (e.g. the GPU build's runtimes/linux-x64/native)." };
        var progressMode = progress.CreateOption();
        var settings = SettingOptions(SettingStage.Prune);

        var command = new Command("prune", "Prune one model and write the pruned model and its report.") { model, outputPath, report };
        foreach (var option in settings.Values) command.Options.Add(option);
        command.Options.Add(noCache);
        command.Options.Add(cacheDir);
        command.Options.Add(nativeDir);
        command.Options.Add(progressMode);
        command.SetAction(result =>
        {
            var raw = RawSettings.From(setting => result.GetValue(settings[setting]));
            var modelPath = result.GetValue(model)!;
            var reportPath = result.GetValue(report);
            var job = ModelJob.WithDefaultReportPaths(
                modelPath,
                OutputGuard.CheckPath(result.GetValue(outputPath), "--output", modelPath),
                reportPath is null ? null : OutputGuard.CheckPath(reportPath, "--report", modelPath),
                raw);
            var request = new BatchRequest(new CacheOptions(!result.GetValue(noCache), result.GetValue(cacheDir)), new[] { job }, result.GetValue(nativeDir), stepSummaryPath);
            return BatchRunner.Run(request, output, progress.OutputFor(result.GetValue(progressMode)), progress.Interval);
        });
        return command;
    }

    /// <summary>One option per setting of <paramref name="stage"/>, named and described by <see cref="SettingTable"/>.</summary>
    private static IReadOnlyDictionary<SettingDefinition, Option<string?>> SettingOptions(SettingStage stage) =>
        SettingTable.All.Where(setting => setting.IsReadBy(stage)).ToDictionary(
            setting => setting,
            setting => new Option<string?>(setting.CommandLineName, setting.CommandLineAliases.ToArray()) { Description = SettingHelp.Describe(setting) });

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
        var outputPath = new Option<string>("--output", "-o") { Description = "Where to write it.", Required = true };
        var externalData = new Option<string>("--external-data")
        {
            Description = "auto (a data file <output>.data beside the model only past the 2 GiB protobuf limit), always or never, as for prune.",
            DefaultValueFactory = _ => "auto",
        };
        var command = new Command("roundtrip", "Read a model and write it back unchanged (external data inlined, or as one data file past 2 GiB).")
        {
            model, outputPath, externalData,
        };
        command.SetAction(result =>
        {
            var source = Path.GetFullPath(result.GetValue(model)!);
            var destination = Path.GetFullPath(result.GetValue(outputPath)!);
            var dataPath = ExternalDataLayout.DataPathFor(destination);
            if (!ExternalDataModeNames.TryParse(result.GetValue(externalData), out var mode))
            {
                throw new ModelPruneException(DiagnosticCodes.InvalidExternalData, source,
                    $"--external-data '{result.GetValue(externalData)}' is not known. Use auto, always or never.");
            }

            var read = OnnxModelReader.Read(source);
            if (new[] { destination, dataPath }.Any(path => string.Equals(source, path, StringComparison.OrdinalIgnoreCase)
                || read.ExternalDataFiles.Any(data => string.Equals(data, path, StringComparison.OrdinalIgnoreCase))))
            {
                throw new ModelPruneException(DiagnosticCodes.OutputWouldOverwriteInput, source,
                    "The output would overwrite the input model or one of its data files; ModelPrune never overwrites a user's model. Choose another output path.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            using var staged = new StagedOutputs();
            long bytes;
            if (OnnxModelWriter.UsesExternalData(read.Proto, mode, source))
            {
                var (stagedModel, stagedData) = staged.ReservePair(destination, dataPath);
                bytes = OnnxModelWriter.WriteWithExternalData(read.Proto, stagedModel, stagedData).Bytes;
            }
            else
            {
                bytes = OnnxModelWriter.WriteAtomic(read.Proto, staged.Reserve(destination)).Bytes;
                staged.DeleteOnCommit(dataPath);
            }

            staged.Commit();
            output.WriteLine($"{destination}: written ({bytes} bytes)");
            return 0;
        });
        return command;
    }

    private static Command BatchCommand(TextWriter output, string? stepSummaryPath, ProgressOptions progress)
    {
        var request = new Argument<string>("request") { Description = "Request JSON written by the ModelPrune MSBuild task." };
        var progressMode = progress.CreateOption();
        var command = new Command("batch", "Prune every model of a request file (used by the MSBuild task).") { request, progressMode };
        command.SetAction(result => BatchRunner.Run(BatchRequestReader.Read(Path.GetFullPath(result.GetValue(request)!)) with { StepSummaryPath = stepSummaryPath }, output,
            progress.OutputFor(result.GetValue(progressMode)), progress.Interval));
        return command;
    }

    internal static Command BaselineCommand(TextWriter output)
    {
        var report = new Option<string>("--report") { Description = "The new report (<name>.prune.json) to check.", Required = true };
        var accept = new Option<bool>("--accept") { Description = "Overwrite the baseline with the new report." };
        var strict = new Option<bool>("--strict") { Description = "Fail instead of creating a missing baseline (for CI)." };
        var name = new Option<string?>("--name") { Description = "The model's name in messages (default: the report's file name)." };
        var settings = SettingOptions(SettingStage.Baseline);
        settings[SettingTable.Baseline].Required = true;

        var command = new Command("baseline", "Check a report against its baseline: metrics within tolerance, layers and sparsity unchanged.") { report };
        foreach (var option in settings.Values) command.Options.Add(option);
        command.Options.Add(accept);
        command.Options.Add(strict);
        command.Options.Add(name);
        command.SetAction(result => BaselineGate.Run(
            new BaselineOptions(
                result.GetValue(report)!, result.GetValue(settings[SettingTable.Baseline])!, result.GetValue(settings[SettingTable.MaxMetricDrop]),
                result.GetValue(settings[SettingTable.MetricTolerances]), result.GetValue(settings[SettingTable.CompareModelHash]),
                result.GetValue(accept), result.GetValue(strict), result.GetValue(name), result.GetValue(settings[SettingTable.DropType])),
            output));
        return command;
    }
}
