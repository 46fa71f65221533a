using ModelPrune.Engine.Cli;
using ModelPrune.Engine.Common;

// Ctrl+C or SIGTERM (a cancelled build) removes what this run staged before the process ends. Registered here, not
// in CommandLine.Run, so the tests that run the command line in process keep their own signal handling.
StagingRegistry.RemoveStagedFilesOnInterrupt(Console.Out);

// GitHub Actions names a Markdown file here for the job's summary page; read at the edge so in-process callers
// (the tests) never append to a real job summary.
// Progress: a bar only where a person watches stderr; the interval is shortened by tests and kept by everyone else.
return CommandLine.Run(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY"),
    new ProgressConsole(!Console.IsErrorRedirected, ProgressConsole.IntervalFrom(Environment.GetEnvironmentVariable(ProgressConsole.IntervalVariable))));
