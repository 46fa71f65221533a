using System;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelPrune.Tasks
{
    /// <summary>
    /// Runs <c>modelprune baseline</c> for one model: the engine compares its new report with the checked-in
    /// baseline and prints <c>baseline-path: error MP2001: ...</c> lines, which become build errors naming the
    /// baseline file. Only glue here; the comparison lives in the engine.
    /// </summary>
    public sealed class CheckBaseline : ToolTask
    {
        /// <summary>modelprune.dll, run with the dotnet host.</summary>
        [Required]
        public string EnginePath { get; set; } = string.Empty;

        /// <summary>The new report (<c>&lt;name&gt;.prune.json</c> in the intermediate folder).</summary>
        [Required]
        public string Report { get; set; } = string.Empty;

        /// <summary>The checked-in baseline, full path.</summary>
        [Required]
        public string Baseline { get; set; } = string.Empty;

        /// <summary>The model as the project names it, for messages.</summary>
        public string? DisplayName { get; set; }

        public string? MaxMetricDrop { get; set; }

        public string? MetricTolerances { get; set; }

        /// <summary>Passed as written; the engine validates it (MP1063).</summary>
        public string? CompareModelHash { get; set; }

        public bool Accept { get; set; }

        public bool Strict { get; set; }

        /// <summary>Empty: DOTNET_HOST_PATH (set by the dotnet CLI), else the running host, else PATH.</summary>
        public string? DotnetHostPath { get; set; }

        protected override string ToolName => DotnetHost.FileName;

        // The pass line and MP2008 (accepted) say what happened to a file under version control.
        protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;

        protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

        public override bool Execute()
        {
            var enginePath = string.IsNullOrEmpty(EnginePath) ? string.Empty : Path.GetFullPath(EnginePath);
            if (!File.Exists(enginePath))
            {
                Log.LogError(null, TaskDiagnostics.EngineNotFound, null, enginePath, 0, 0, 0, 0,
                    "The ModelPrune engine was not found at '{0}'. Restore the package again (dotnet restore --force), or correct ModelPruneEnginePath if you set it.",
                    enginePath);
                return false;
            }

            if (DotnetHost.Find(DotnetHostPath) == null)
            {
                Log.LogError(null, TaskDiagnostics.EngineNotFound, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                    "The .NET host that runs the ModelPrune engine was not found (ModelPruneDotnetHostPath '{0}', DOTNET_HOST_PATH, DOTNET_ROOT, PATH). Install the .NET SDK or runtime 8.0 or later, or correct ModelPruneDotnetHostPath.",
                    DotnetHostPath ?? string.Empty);
                return false;
            }

            return base.Execute() && !Log.HasLoggedErrors;
        }

        protected override string GenerateFullPathToTool() => DotnetHost.Find(DotnetHostPath) ?? ToolName;

        protected override string GenerateCommandLineCommands()
        {
            var commandLine = new CommandLineBuilder();
            commandLine.AppendSwitch("exec");
            commandLine.AppendFileNameIfNotNull(Path.GetFullPath(EnginePath));
            commandLine.AppendSwitch("baseline");
            commandLine.AppendSwitch("--report");
            commandLine.AppendFileNameIfNotNull(Path.GetFullPath(Report));
            commandLine.AppendSwitch("--baseline");
            commandLine.AppendFileNameIfNotNull(Path.GetFullPath(Baseline));
            AppendIfSet(commandLine, "--max-metric-drop", MaxMetricDrop);
            AppendIfSet(commandLine, "--tolerances", MetricTolerances);
            AppendIfSet(commandLine, "--compare-model-hash", CompareModelHash);
            AppendIfSet(commandLine, "--name", DisplayName);
            if (Accept) commandLine.AppendSwitch("--accept");
            if (Strict) commandLine.AppendSwitch("--strict");
            return commandLine.ToString();
        }

        /// <summary>
        /// Exit code 1 with errors logged is a failed comparison (the coded errors are in the log); anything else
        /// means the engine died.
        /// </summary>
        protected override bool HandleTaskExecutionErrors()
        {
            if (ExitCode == 1 && Log.HasLoggedErrors)
            {
                return false;
            }

            Log.LogError(null, TaskDiagnostics.EngineCrashed, null, Baseline, 0, 0, 0, 0,
                "The ModelPrune engine exited abnormally (exit code {0}: crashed, killed or out of memory) while checking {1} against this baseline; the baseline was not changed. Rebuild; if it happens again, report it with the build log (-v:detailed).",
                ExitCode, string.IsNullOrEmpty(DisplayName) ? Report : DisplayName);
            return false;
        }

        private static void AppendIfSet(CommandLineBuilder commandLine, string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                // One token, --name=value: a value such as -0.1 must not be taken for an option. The builder
                // quotes the value when needed.
                commandLine.AppendSwitchIfNotNull(name + "=", value!.Trim());
            }
        }
    }
}
