using ModelPrune.Engine.Cli;

namespace ModelPrune.Engine.Tests.TestSupport;

/// <summary>Runs the engine's command line in-process and captures what it prints.</summary>
public static class EngineCli
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var exitCode = CommandLine.Run(args, output, error);
        return (exitCode, output.ToString() + error.ToString());
    }
}
