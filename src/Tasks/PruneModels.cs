using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelPrune.Progress;

namespace ModelPrune.Tasks;

/// <summary>
/// Runs the pruning engine once, out of process, for every model the targets found stale.
/// Out of process because ONNX Runtime's natives would otherwise stay loaded (and locked) in long-lived
/// MSBuild nodes, and a crash or out-of-memory in the engine must become a build error, not a dead node.
/// The targets decide staleness (the Inputs/Outputs of _ModelPruneGatherStaleBatched); this task does not
/// judge it again. It is the one place that sets output times (<see cref="FixOutputTimes"/>).
/// </summary>
public sealed class PruneModels : EngineToolTask
{
    private DateTime _executeStartedUtc;

    public PruneModels()
    {
        // Pruning takes seconds to minutes: let the node build other projects meanwhile.
        YieldDuringToolExecution = true;
    }

    /// <summary>The stale PruneModel items, with the output paths and settings as metadata.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Where the request for the engine is written (kept after the build, to rerun it by hand).</summary>
    [Required]
    public string RequestFile { get; set; } = string.Empty;

    public bool CacheEnabled { get; set; } = true;

    /// <summary>Empty: the engine's default (MODELPRUNE_CACHE_DIR, else the user cache folder).</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>What relative paths in settings (CalibrationData) are relative to: the project folder.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>
    /// A folder with another ONNX Runtime native library for the engine to load (the GPU build); empty for
    /// the CPU build shipped beside the engine.
    /// </summary>
    public string? OnnxRuntimeNativeDirectory { get; set; }

    /// <summary>Serialises builds that share the output folder (see <see cref="FolderLock"/>).</summary>
    public string? LockFile { get; set; }

    public override bool Execute()
    {
        _executeStartedUtc = DateTime.UtcNow;
        if (Models.Length == 0)
        {
            return true;
        }

        if (!ValidateInputs())
        {
            return false;
        }

        if (string.IsNullOrEmpty(LockFile))
        {
            return Prune();
        }

        using (var folderLock = FolderLock.Acquire(LockFile!, Log, ToolCanceled))
        {
            if (folderLock == null)
            {
                return false;
            }

            // Not a second staleness rule, only "who did it": a build of another target framework sharing
            // the folder may have pruned some of these models while this one waited. Its outputs then all
            // carry the time FixOutputTimes gave them, later than this task's start; pruning again would
            // delete files that build may be embedding at this moment.
            var pending = Models.Where(model => !PrunedByAnotherBuildSince(model, _executeStartedUtc)).ToArray();
            foreach (var model in Models.Except(pending))
            {
                Log.LogMessage(MessageImportance.Low, "ModelPrune: {0} was pruned by another build while this one waited", PruneRequest.DisplayName(model));
            }

            Models = pending;
            return Prune();
        }
    }

    private bool Prune()
    {
        if (Models.Length == 0)
        {
            return true;
        }

        DeleteStaleOutputs();
        try
        {
            PruneRequest.Write(RequestFile, PruneRequest.ToJson(Models, CacheEnabled, CacheDirectory, ProjectDirectory, OnnxRuntimeNativeDirectory));
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            Log.LogError(null, TaskDiagnostics.OutputUnwritable, null, RequestFile, 0, 0, 0, 0,
                "The engine request file could not be written ({0}). Check that the intermediate folder is writable and the disk is not full.", e.Message);
            return false;
        }

        var succeeded = false;
        try
        {
            succeeded = base.Execute() && !Log.HasLoggedErrors;
            if (succeeded)
            {
                succeeded = CheckOutputsWritten();
            }

            if (succeeded)
            {
                FixOutputTimes();
            }
        }
        finally
        {
            if (!succeeded)
            {
                DeleteTemporaryFiles();
            }
        }

        return succeeded;
    }

    /// <summary>
    /// The engine's <c>path: info MP3005: ...</c> lines (Device="auto" ran on the CPU) are no category MSBuild
    /// knows: left alone they would be high-importance messages in every CPU-only build. They are worth a look
    /// at normal verbosity; errors, warnings and the summary lines keep their importance.
    /// </summary>
    /// <remarks>
    /// The engine's progress lines (<c>modelprune-progress: stage=prune layer=12/36 ...</c>, asked for with
    /// <c>--progress machine</c>) are reworded for people and logged at normal importance: <c>dotnet build -v:n</c> and
    /// a CI log then show that a long run is alive, while the default minimal verbosity stays quiet. They never reach
    /// ToolTask's parsing of canonical errors. MSBuild has no public API for a task's status text in the terminal
    /// logger (dotnet/msbuild#6944, #8878), so a message is all a task can give it.
    /// </remarks>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (singleLine.StartsWith(ProgressLine.Prefix, StringComparison.Ordinal))
        {
            // A line this task cannot read (it should not happen: they ship together) is still no error.
            var progress = ProgressLine.Parse(singleLine);
            if (progress == null)
            {
                Log.LogMessage(MessageImportance.Low, "{0}", singleLine);
            }
            else
            {
                Log.LogMessage(MessageImportance.Normal, "ModelPrune: {0}: {1}", progress.Model, progress.Describe());
            }

            return;
        }

        base.LogEventsFromTextOutput(singleLine, IsInformation(singleLine) ? MessageImportance.Normal : messageImportance);
    }

    internal static bool IsInformation(string line) => line.IndexOf(": info MP", StringComparison.Ordinal) >= 0;

    protected override void AppendEngineArguments(CommandLineBuilder commandLine)
    {
        commandLine.AppendSwitch("batch");
        commandLine.AppendFileNameIfNotNull(Path.GetFullPath(RequestFile));
        commandLine.AppendSwitch("--progress");
        commandLine.AppendSwitch("machine");
    }

    /// <summary>Name every model: the log cannot tell which one the engine was working on.</summary>
    protected override void LogEngineCrashed()
    {
        foreach (var model in Models)
        {
            Log.LogError(null, TaskDiagnostics.EngineCrashed, null, model.GetMetadata("FullPath"), 0, 0, 0, 0,
                "The pruning engine exited abnormally (exit code {0}: crashed, killed or out of memory) while pruning {1}; no output was kept. Rebuild; if it happens again, report it with the build log (-v:detailed).",
                ExitCode, PruneRequest.DisplayName(model));
        }
    }

    /// <summary>Every output of the model exists and was written after <paramref name="sinceUtc"/>.</summary>
    private static bool PrunedByAnotherBuildSince(ITaskItem model, DateTime sinceUtc) =>
        OutputPaths(model).All(path => File.Exists(path) && File.GetLastWriteTimeUtc(path) > sinceUtc);

    private bool ValidateInputs()
    {
        var valid = EngineAndHostFound();

        foreach (var model in Models)
        {
            foreach (var name in ModelMetadata.Outputs)
            {
                if (string.IsNullOrEmpty(model.GetMetadata(name)))
                {
                    Log.LogError(null, TaskDiagnostics.InternalError, null, model.ItemSpec, 0, 0, 0, 0,
                        "The item '{0}' passed to PruneModels has no '{1}' metadata; the ModelPrune targets always set it. Please report this.",
                        model.ItemSpec, name);
                    valid = false;
                }
            }
        }

        return valid;
    }

    /// <summary>
    /// Outputs of a batch model are out of date by definition. Removing them first means a model that
    /// fails cannot leave an old result behind that a later build would take for current.
    /// </summary>
    private void DeleteStaleOutputs()
    {
        foreach (var path in OutputPaths().Concat(ExternalDataPaths()))
        {
            TryDelete(path);
        }
    }

    private bool CheckOutputsWritten()
    {
        foreach (var model in Models)
        {
            var missing = OutputPaths(model).Where(path => !File.Exists(path)).ToList();

            if (missing.Count != 0)
            {
                Log.LogError(null, TaskDiagnostics.InternalError, null, model.GetMetadata("FullPath"), 0, 0, 0, 0,
                    "The pruning engine reported success for {0} but did not write {1}. Please report this with the build log (-v:detailed).",
                    PruneRequest.DisplayName(model), string.Join(", ", missing));
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The one place that sets output times. Every output of every pruned model gets the same instant, taken
    /// after the engine exited: newer than the inputs it read, whatever the engine wrote or copied from its
    /// cache (a cache entry's copy may carry an old time), and equal among the outputs. The targets' rule
    /// treats the report as an input of the other outputs (a summary older than its report is stale), so
    /// equal times are what makes a freshly pruned item up to date.
    /// </summary>
    private void FixOutputTimes()
    {
        var now = DateTime.UtcNow;
        foreach (var path in OutputPaths().Concat(ExternalDataPaths().Where(File.Exists)))
        {
            File.SetLastWriteTimeUtc(path, now);
        }
    }

    /// <summary>The engine writes under temporary names and renames; a killed engine leaves them behind.</summary>
    private void DeleteTemporaryFiles()
    {
        var folders = OutputPaths()
            .Select(Path.GetDirectoryName)
            .Where(folder => !string.IsNullOrEmpty(folder) && Directory.Exists(folder))
            .Distinct(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var file in Directory.GetFiles(folder!, "*.tmp"))
            {
                TryDelete(file);
            }

            // A model with external data is staged as a folder holding the model and its data file.
            foreach (var staging in Directory.GetDirectories(folder!, "*.tmp"))
            {
                TryDeleteFolder(staging);
            }
        }
    }

    private IEnumerable<string> OutputPaths() => Models.SelectMany(OutputPaths);

    /// <summary>
    /// The data file each pruned model has when the engine writes it with external data (<c>x.onnx.data</c>, as the engine
    /// names it): not every run writes one, so it is an output to remove and date, never one to require.
    /// </summary>
    private IEnumerable<string> ExternalDataPaths() =>
        Models.Select(model => model.GetMetadata(ModelMetadata.OutputModel))
            .Where(path => !string.IsNullOrEmpty(path))
            .Select(path => Path.GetFullPath(path) + ModelMetadata.ExternalDataExtension);

    private void TryDeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            Log.LogMessage(MessageImportance.Low, "ModelPrune: could not delete {0}: {1}", path, e.Message);
        }
    }

    private static IEnumerable<string> OutputPaths(ITaskItem model) =>
        ModelMetadata.Outputs
            .Select(model.GetMetadata)
            .Where(path => !string.IsNullOrEmpty(path))
            .Select(Path.GetFullPath);

    private void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            // A file we cannot delete is harmless here: the next run overwrites or ignores it.
            Log.LogMessage(MessageImportance.Low, "ModelPrune: could not delete {0}: {1}", path, e.Message);
        }
    }
}
