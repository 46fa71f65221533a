using System.Diagnostics;

namespace ModelPrune.Engine.Tests.Reporting;

/// <summary>
/// Debian's Chromium run headless, the way a reviewer's browser would open a report. The flags keep it from
/// reaching for the network (refused here) and from sharing a profile between runs.
/// </summary>
internal static class HeadlessChromium
{
    public static string? Executable =>
        new[] { Environment.GetEnvironmentVariable("MODELPRUNE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }
            .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path));

    /// <summary>Runs Chromium on the file with the given extra arguments and returns what it printed on stdout.</summary>
    public static string Run(string executable, string userDataDirectory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={userDataDirectory}",
        })
        {
            start.ArgumentList.Add(flag);
        }

        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add(new Uri(file).AbsoluteUri);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not finish rendering {file} in 90 s");
        }

        Assert.True(process.ExitCode == 0, $"{executable} exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
