using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelPrune.Tasks
{
    /// <summary>
    /// Runs the pruning engine once, out of process, for every model the targets found out of date.
    /// Out of process because ONNX Runtime's natives would otherwise stay loaded (and locked) in long-lived
    /// MSBuild nodes, and a crash or out-of-memory in the engine must become a build error, not a dead node.
    /// </summary>
    public sealed class PruneModels : ToolTask
    {
        private DateTime _startedUtc;

        public PruneModels()
        {
            // Pruning takes seconds to minutes: let the node build other projects meanwhile.
            YieldDuringToolExecution = true;
        }

        /// <summary>The out-of-date PruneModel items, with the output paths and settings as metadata.</summary>
        [Required]
        public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>modelprune.dll, run with the dotnet host.</summary>
        [Required]
        public string EnginePath { get; set; } = string.Empty;

        /// <summary>Where the request for the engine is written (kept after the build, to rerun it by hand).</summary>
        [Required]
        public string RequestFile { get; set; } = string.Empty;

        public bool CacheEnabled { get; set; } = true;

        /// <summary>Empty: the engine's default (MODELPRUNE_CACHE_DIR, else the user cache folder).</summary>
        public string? CacheDirectory { get; set; }

        /// <summary>Empty: DOTNET_HOST_PATH (set by the dotnet CLI), else the running host, else PATH.</summary>
        public string? DotnetHostPath { get; set; }

        /// <summary>What relative paths in settings (CalibrationData) are relative to: the project folder.</summary>
        public string? ProjectDirectory { get; set; }

        /// <summary>
        /// A folder with another ONNX Runtime native library for the engine to load (the GPU build); empty for
        /// the CPU build shipped beside the engine.
        /// </summary>
        public string? OnnxRuntimeNativeDirectory { get; set; }

        /// <summary>Serialises builds that share the output folder (see <see cref="FolderLock"/>).</summary>
        public string? LockFile { get; set; }

        protected override string ToolName => DotnetHost.FileName;

        // The engine prints one summary line per model: it should be seen at the default verbosity.
        protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;

        // Unhandled-exception traces go to stderr; when the engine dies they are the only clue.
        protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

        public override bool Execute()
        {
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

                // Another build may have pruned these while this one waited for the lock.
                var pending = Models.Where(model => !IsUpToDate(model)).ToArray();
                foreach (var model in Models.Except(pending))
                {
                    Log.LogMessage(MessageImportance.Low, "ModelPrune: {0} is up to date", PruneRequest.DisplayName(model));
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

            _startedUtc = DateTime.UtcNow;
            var succeeded = false;
            try
            {
                succeeded = base.Execute() && !Log.HasLoggedErrors;
                if (succeeded)
                {
                    succeeded = CheckOutputsWritten();
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
        protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
        {
            base.LogEventsFromTextOutput(singleLine, IsInformation(singleLine) ? MessageImportance.Normal : messageImportance);
        }

        internal static bool IsInformation(string line) => line.IndexOf(": info MP", StringComparison.Ordinal) >= 0;

        protected override string GenerateFullPathToTool() => DotnetHost.Find(DotnetHostPath) ?? ToolName;

        protected override string GenerateCommandLineCommands()
        {
            var commandLine = new CommandLineBuilder();
            commandLine.AppendSwitch("exec");
            commandLine.AppendFileNameIfNotNull(Path.GetFullPath(EnginePath));
            commandLine.AppendSwitch("batch");
            commandLine.AppendFileNameIfNotNull(Path.GetFullPath(RequestFile));
            return commandLine.ToString();
        }

        /// <summary>
        /// Exit code 1 with errors logged is the engine reporting failed models (their coded errors are
        /// already in the log). Anything else non-zero, or 1 without an error, means it died: name every
        /// model, since the log cannot tell which one it was working on.
        /// </summary>
        protected override bool HandleTaskExecutionErrors()
        {
            if (ExitCode == 1 && Log.HasLoggedErrors)
            {
                return false;
            }

            foreach (var model in Models)
            {
                Log.LogError(null, TaskDiagnostics.EngineCrashed, null, model.GetMetadata("FullPath"), 0, 0, 0, 0,
                    "The pruning engine exited abnormally (exit code {0}: crashed, killed or out of memory) while pruning {1}; no output was kept. Rebuild; if it happens again, report it with the build log (-v:detailed).",
                    ExitCode, PruneRequest.DisplayName(model));
            }

            return false;
        }

        /// <summary>The targets' check, repeated under the lock: outputs (model, report, summary) newer than model, stamp and engine.</summary>
        private bool IsUpToDate(ITaskItem model)
        {
            var inputs = new[] { model.GetMetadata("FullPath"), model.GetMetadata(ModelMetadata.Stamp), EnginePath }
                .Where(path => !string.IsNullOrEmpty(path))
                .ToArray();
            if (!File.Exists(inputs[0]))
            {
                return false;
            }

            var newestInput = inputs.Where(File.Exists).Max(File.GetLastWriteTimeUtc);
            var outputs = new[] { model.GetMetadata(ModelMetadata.OutputModel), model.GetMetadata(ModelMetadata.Report), model.GetMetadata(ModelMetadata.Summary) };
            return outputs.All(path => File.Exists(path) && File.GetLastWriteTimeUtc(path) >= newestInput);
        }

        private bool ValidateInputs()
        {
            var valid = true;
            var enginePath = string.IsNullOrEmpty(EnginePath) ? string.Empty : Path.GetFullPath(EnginePath);
            if (!File.Exists(enginePath))
            {
                Log.LogError(null, TaskDiagnostics.EngineNotFound, null, enginePath, 0, 0, 0, 0,
                    "The ModelPrune engine was not found at '{0}'. Restore the package again (dotnet restore --force), or correct ModelPruneEnginePath if you set it.",
                    enginePath);
                valid = false;
            }

            if (DotnetHost.Find(DotnetHostPath) == null)
            {
                var message = string.IsNullOrEmpty(DotnetHostPath)
                    ? "The .NET host ({0}) that runs the ModelPrune engine was not found on DOTNET_HOST_PATH, DOTNET_ROOT or PATH. Install the .NET SDK or runtime 8.0 or later and put dotnet on PATH, or set DOTNET_HOST_PATH."
                    : "The .NET host that runs the ModelPrune engine was not found at '{1}'. Correct ModelPruneDotnetHostPath, or leave it empty to use the dotnet that runs the build.";
                Log.LogError(null, TaskDiagnostics.EngineNotFound, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                    message, DotnetHost.FileName, DotnetHostPath);
                valid = false;
            }

            foreach (var model in Models)
            {
                foreach (var name in new[] { ModelMetadata.OutputModel, ModelMetadata.Report, ModelMetadata.Summary, ModelMetadata.Markdown, ModelMetadata.RunInfo })
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
            foreach (var path in OutputPaths())
            {
                TryDelete(path);
            }
        }

        /// <summary>
        /// The engine may serve a result from its cache with the cache entry's old timestamp; an output
        /// older than the stamp or model would be seen as out of date and pruned again on every build.
        /// </summary>
        private bool CheckOutputsWritten()
        {
            foreach (var model in Models)
            {
                var missing = new List<string>();
                foreach (var path in OutputPaths(model))
                {
                    if (!File.Exists(path))
                    {
                        missing.Add(path);
                        continue;
                    }

                    if (File.GetLastWriteTimeUtc(path) < _startedUtc)
                    {
                        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
                    }
                }

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
            }
        }

        private IEnumerable<string> OutputPaths() => Models.SelectMany(OutputPaths);

        private static IEnumerable<string> OutputPaths(ITaskItem model) =>
            new[] { ModelMetadata.OutputModel, ModelMetadata.Report, ModelMetadata.Summary, ModelMetadata.Markdown, ModelMetadata.Html, ModelMetadata.RunInfo }
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
}
