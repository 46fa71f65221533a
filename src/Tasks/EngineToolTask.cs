using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelPrune.Tasks;

/// <summary>
/// What every task that runs the engine shares: the engine runs out of process as
/// <c>dotnet exec &lt;modelprune.dll&gt; &lt;command&gt; ...</c> with the host <see cref="DotnetHost"/> finds;
/// a missing engine or host is MP3003, worded once here; exit code 1 with coded errors logged is the engine
/// reporting a failure, anything else a crash (MP9001, worded by each task: only it knows what was running).
/// A cancelled build (Ctrl+C, Visual Studio's Cancel) first asks the engine to stop with SIGTERM, so that it removes
/// what it staged and says MP3010; ToolTask's own cancellation kills the process at once.
/// </summary>
public abstract class EngineToolTask : ToolTask
{
    /// <summary>How long a cancelled engine gets to remove its staged files and exit before it is killed.</summary>
    private const int StopMilliseconds = 5000;

    private Process? _engine;
    private volatile bool _cancelled;

    /// <summary>modelprune.dll, run with the dotnet host.</summary>
    [Required]
    public string EnginePath { get; set; } = string.Empty;

    /// <summary>Empty: DOTNET_HOST_PATH (set by the dotnet CLI), else the running host, else PATH.</summary>
    public string? DotnetHostPath { get; set; }

    protected sealed override string ToolName => DotnetHost.FileName;

    // The engine's lines (summaries, the baseline verdict) should be seen at the default verbosity, and
    // an unhandled exception's trace on stderr is the only clue when it dies.
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;

    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

    /// <summary>Logs MP3003 for a missing engine or .NET host; true when both are there.</summary>
    protected bool EngineAndHostFound()
    {
        var found = true;
        var enginePath = string.IsNullOrEmpty(EnginePath) ? string.Empty : Path.GetFullPath(EnginePath);
        if (!File.Exists(enginePath))
        {
            Log.LogError(null, TaskDiagnostics.EngineNotFound, null, enginePath, 0, 0, 0, 0,
                "The ModelPrune engine was not found at '{0}'. Restore the package again (dotnet restore --force), or correct ModelPruneEnginePath if you set it.",
                enginePath);
            found = false;
        }

        if (DotnetHost.Find(DotnetHostPath) == null)
        {
            var message = string.IsNullOrEmpty(DotnetHostPath)
                ? "The .NET host ({0}) that runs the ModelPrune engine was not found on DOTNET_HOST_PATH, DOTNET_ROOT or PATH. Install the .NET SDK or runtime 8.0 or later and put dotnet on PATH, or set DOTNET_HOST_PATH."
                : "The .NET host that runs the ModelPrune engine was not found at '{1}' (ModelPruneDotnetHostPath). Correct ModelPruneDotnetHostPath, or leave it empty to use the dotnet that runs the build.";
            Log.LogError(null, TaskDiagnostics.EngineNotFound, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                message, DotnetHost.FileName, DotnetHostPath ?? string.Empty);
            found = false;
        }

        return found;
    }

    /// <summary>Keeps the process for <see cref="Cancel"/>: ToolTask does not expose it. (An MSBuild too old to have this hook never calls it; cancelling then kills the engine at once, as before.)</summary>
    protected override Process StartToolProcess(Process proc)
    {
        var started = base.StartToolProcess(proc);
        Volatile.Write(ref _engine, started);
        return started;
    }

    /// <summary>
    /// SIGTERM, then up to <see cref="StopMilliseconds"/> for the engine to exit; only then ToolTask's cancellation,
    /// which kills what is left. Meanwhile ToolTask's loop keeps logging the engine's output, MP3010 included.
    /// </summary>
    public override void Cancel()
    {
        _cancelled = true;
        var engine = Volatile.Read(ref _engine);
        try
        {
            if (engine != null && !engine.HasExited && PosixSignals.Terminate(engine.Id))
            {
                engine.WaitForExit(StopMilliseconds);
            }
        }
        catch (Exception e) when (e is InvalidOperationException || e is Win32Exception || e is NotSupportedException)
        {
            // The process ended (and ToolTask disposed it) while we looked: nothing left to stop.
        }

        base.Cancel();
    }

    protected sealed override string GenerateFullPathToTool() => DotnetHost.Find(DotnetHostPath) ?? ToolName;

    protected sealed override string GenerateCommandLineCommands()
    {
        var commandLine = new CommandLineBuilder();
        commandLine.AppendSwitch("exec");
        commandLine.AppendFileNameIfNotNull(Path.GetFullPath(EnginePath));
        AppendEngineArguments(commandLine);
        return commandLine.ToString();
    }

    /// <summary>The engine command and its arguments, after <c>exec &lt;engine&gt;</c>.</summary>
    protected abstract void AppendEngineArguments(CommandLineBuilder commandLine);

    /// <summary>
    /// Exit code 1 with errors logged is the engine reporting a failure (its coded errors are already in the
    /// log). Anything else non-zero, or 1 without an error, means it died.
    /// </summary>
    protected sealed override bool HandleTaskExecutionErrors()
    {
        // Stopped by Cancel: the engine said MP3010 (or was killed); it did not crash.
        if (_cancelled || (ExitCode == 1 && Log.HasLoggedErrors))
        {
            return false;
        }

        LogEngineCrashed();
        return false;
    }

    /// <summary>MP9001: say what the engine was doing when it died (<see cref="ToolTask.ExitCode"/> is set).</summary>
    protected abstract void LogEngineCrashed();
}
