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
    public sealed class CheckBaseline : EngineToolTask
    {
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

        // The pass line and MP2008 (accepted) say what happened to a file under version control: the base class
        // logs the engine's output at high importance.
        public override bool Execute() => EngineAndHostFound() && base.Execute() && !Log.HasLoggedErrors;

        protected override void AppendEngineArguments(CommandLineBuilder commandLine)
        {
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
        }

        /// <summary>Exit code 1 with errors logged is a failed comparison; anything else means the engine died.</summary>
        protected override void LogEngineCrashed()
        {
            Log.LogError(null, TaskDiagnostics.EngineCrashed, null, Baseline, 0, 0, 0, 0,
                "The ModelPrune engine exited abnormally (exit code {0}: crashed, killed or out of memory) while checking {1} against this baseline; the baseline was not changed. Rebuild; if it happens again, report it with the build log (-v:detailed).",
                ExitCode, string.IsNullOrEmpty(DisplayName) ? Report : DisplayName);
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
