using System.Security;

namespace ModelPrune.Build.Tests.Infrastructure;

/// <summary>
/// Packs ModelPrune.Build once per test run, from a copy of the sources (so neither the repository's
/// bin/obj nor a developer's concurrent build can leak in), with a version no earlier run used: NuGet
/// would otherwise reuse a stale extracted copy. Consumer projects restore into one NUGET_PACKAGES
/// folder of this run, so the package is extracted once.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    private static readonly string[] CopiedFolders = { "src", "build", "buildTransitive", "buildMultiTargeting" };

    public PackageFixture()
    {
        Version = $"0.0.1-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..8]}";
        WorkDirectory = Path.Combine(Path.GetTempPath(), "modelprune-build-tests", Guid.NewGuid().ToString("N")[..12]);
        FeedDirectory = Path.Combine(WorkDirectory, "feed");
        PackagesDirectory = Path.Combine(WorkDirectory, "nuget-packages");
        ProjectsDirectory = Path.Combine(WorkDirectory, "projects");
        Directory.CreateDirectory(FeedDirectory);
        Directory.CreateDirectory(PackagesDirectory);
        Directory.CreateDirectory(ProjectsDirectory);

        var sources = Path.Combine(WorkDirectory, "sources");
        CopySources(RepoPaths.Root, sources);
        PackResult = DotnetCli.Run(
            sources,
            new Dictionary<string, string?>(),
            "pack", Path.Combine(sources, "src", "Tasks", "ModelPrune.Tasks.csproj"),
            "-c", "Release",
            "-o", FeedDirectory,
            $"-p:ModelPruneVersion={Version}",
            "--disable-build-servers", "-nodeReuse:false");
        PackagePath = Path.Combine(FeedDirectory, $"ModelPrune.Build.{Version}.nupkg");
        if (!PackResult.Succeeded || !File.Exists(PackagePath))
        {
            throw new InvalidOperationException("Packing ModelPrune.Build failed.\n" + PackResult);
        }

        WriteConsumerSettings();
    }

    public string Version { get; }

    public string WorkDirectory { get; }

    public string FeedDirectory { get; }

    public string PackagesDirectory { get; }

    public string ProjectsDirectory { get; }

    public string PackagePath { get; }

    public CommandResult PackResult { get; }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("MODELPRUNE_KEEP_TEST_FILES") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean: a failing delete must not turn passing tests red.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void CopySources(string repository, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(repository))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var folder in CopiedFolders)
        {
            var source = Path.Combine(repository, folder);
            if (Directory.Exists(source))
            {
                CopyTree(source, Path.Combine(destination, folder));
            }
        }
    }

    private static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.GetDirectories(source))
        {
            var name = Path.GetFileName(folder);
            if (name is "bin" or "obj")
            {
                continue;
            }

            CopyTree(folder, Path.Combine(destination, name));
        }
    }

    /// <summary>
    /// The consumers' nuget.config: the run's feed, nuget.org, and the machine's package folder as a
    /// fallback so targeting packs already on the machine (net8.0's, for the multi-targeting test) are
    /// not downloaded again. Empty Directory.Build files stop MSBuild from looking further up.
    /// </summary>
    private void WriteConsumerSettings()
    {
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(globalPackages))
        {
            globalPackages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var fallback = Directory.Exists(globalPackages)
            ? $"""
                <fallbackPackageFolders>
                  <clear />
                  <add key="machine" value="{SecurityElement.Escape(globalPackages)}" />
                </fallbackPackageFolders>
              """
            : string.Empty;
        File.WriteAllText(Path.Combine(ProjectsDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="modelprune-test-feed" value="{SecurityElement.Escape(FeedDirectory)}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            {fallback}
            </configuration>
            """);
        File.WriteAllText(Path.Combine(ProjectsDirectory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(ProjectsDirectory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(ProjectsDirectory, "Directory.Packages.props"), "<Project />\n");
    }
}
