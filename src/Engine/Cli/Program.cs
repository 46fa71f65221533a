using ModelPrune.Engine.Cli;

// GitHub Actions names a Markdown file here for the job's summary page; read at the edge so in-process callers
// (the tests) never append to a real job summary.
return CommandLine.Run(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY"));
