using System;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelPrune.Settings;

namespace ModelPrune.Tasks;

/// <summary>
/// Runs <c>modelprune baseline</c> for one model: the engine compares its new report with the checked-in
/// baseline and prints <c>baseline-path: error MP2001: ...</c> lines, which become build errors naming the
/// baseline file. Only glue here; the comparison lives in the engine.
/// </summary>
public sealed class CheckBaseline : EngineToolTask
{
    /// <summary>
    /// The item with a Baseline: its Report (the new <c>&lt;name&gt;.prune.json</c>), BaselineFullPath, DisplayName,
    /// and the baseline settings of <see cref="SettingTable"/> as metadata, passed as written (the engine validates them).
    /// </summary>
    [Required]
    public ITaskItem Model { get; set; } = null!;

    private string Report => Model.GetMetadata(ModelMetadata.Report);

    private string Baseline => Model.GetMetadata(ModelMetadata.BaselineFullPath);

    private string DisplayName => PruneRequest.DisplayName(Model);

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
        // The Baseline setting itself travels as the full path the targets resolved.
        foreach (var setting in SettingTable.All.Where(setting => setting.Stage == SettingStage.Baseline && setting != SettingTable.Baseline))
        {
            AppendIfSet(commandLine, setting.CommandLineName, Model.GetMetadata(setting.Name));
        }

        AppendIfSet(commandLine, "--name", DisplayName);
        if (Accept) commandLine.AppendSwitch("--accept");
        if (Strict) commandLine.AppendSwitch("--strict");
    }

    /// <summary>Exit code 1 with errors logged is a failed comparison; anything else means the engine died.</summary>
    protected override void LogEngineCrashed()
    {
        Log.LogError(null, TaskDiagnostics.EngineCrashed, null, Baseline, 0, 0, 0, 0,
            "The ModelPrune engine exited abnormally (exit code {0}: crashed, killed or out of memory) while checking {1} against this baseline; the baseline was not changed. Rebuild; if it happens again, report it with the build log (-v:detailed).",
            ExitCode, DisplayName);
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
