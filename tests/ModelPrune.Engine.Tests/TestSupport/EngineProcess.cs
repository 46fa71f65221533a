using System.Diagnostics;

namespace ModelPrune.Engine.Tests.TestSupport;

/// <summary>
/// Runs the engine in a process of its own, as MSBuild does: for what a process reads once (the ONNX Runtime
/// library it binds, environment variables such as GITHUB_STEP_SUMMARY) and what only a process has (signals).
/// </summary>
public static class EngineProcess
{
    public static (int ExitCode, string Output) Run(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(environment, arguments))!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary><c>dotnet exec modelprune.dll ...</c> with both streams redirected; the dotnet process is the engine.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(host) ? "dotnet" : host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "modelprune.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        return start;
    }
}
