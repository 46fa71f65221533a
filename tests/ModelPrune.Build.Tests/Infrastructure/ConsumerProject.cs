namespace ModelPrune.Build.Tests.Infrastructure;

/// <summary>
/// A small library project in its own temporary folder that references the packed ModelPrune.Build,
/// built with the real `dotnet build` as a user would. Each project has its own engine cache folder
/// (MODELPRUNE_CACHE_DIR), so results never come from another test's run.
/// </summary>
public sealed class ConsumerProject
{
    public const string DefaultTargetFramework = "net10.0";

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;
    private string _targetFrameworks = DefaultTargetFramework;
    private string _items = string.Empty;
    private string _properties = string.Empty;
    private string _targets = string.Empty;

    private ConsumerProject(PackageFixture package, ITestOutputHelper log, string name)
    {
        _package = package;
        _log = log;
        Name = name;
        Directory = Path.Combine(package.ProjectsDirectory, name);
        CacheDirectory = Path.Combine(package.WorkDirectory, "caches", name);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, "Library.cs"), "namespace Consumer;\n\npublic static class Library\n{\n}\n");
    }

    public string Name { get; }

    public string Directory { get; }

    public string CacheDirectory { get; }

    public string ProjectPath => Path.Combine(Directory, Name + ".csproj");

    /// <summary>The default ModelPruneIntermediateDir of the Debug configuration.</summary>
    public string ModelPruneDirectory => Path.Combine(Directory, "obj", "Debug", "modelprune");

    public static ConsumerProject Create(PackageFixture package, ITestOutputHelper log, string name) => new(package, log, name);

    public string OutputAssembly(string targetFramework = DefaultTargetFramework) =>
        Path.Combine(Directory, "bin", "Debug", targetFramework, Name + ".dll");

    public string OutputFolder(string targetFramework = DefaultTargetFramework) =>
        Path.Combine(Directory, "bin", "Debug", targetFramework);

    /// <summary>Writes a model file into the project (path relative to the project folder).</summary>
    public string AddFile(string relativePath, byte[] content)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public ConsumerProject WithTargetFrameworks(string targetFrameworks)
    {
        _targetFrameworks = targetFrameworks;
        return Save();
    }

    /// <summary>Replaces the project's items (PruneModel and anything else) with this XML.</summary>
    public ConsumerProject WithItems(string itemsXml)
    {
        _items = itemsXml;
        return Save();
    }

    public ConsumerProject WithProperties(string propertiesXml)
    {
        _properties = propertiesXml;
        return Save();
    }

    /// <summary>Replaces the project's own targets (XML placed after its items).</summary>
    public ConsumerProject WithTargets(string targetsXml)
    {
        _targets = targetsXml;
        return Save();
    }

    public CommandResult Build(params string[] arguments) =>
        Run(new[] { "build", ProjectPath, "--disable-build-servers", "-nodeReuse:false" }.Concat(arguments).ToArray());

    public CommandResult Clean(params string[] arguments) =>
        Run(new[] { "clean", ProjectPath, "--disable-build-servers", "-nodeReuse:false" }.Concat(arguments).ToArray());

    public CommandResult Run(params string[] arguments) => RunWithEnvironment(new Dictionary<string, string?>(), arguments);

    /// <summary>`dotnet build` as <see cref="Build"/> runs it, not started: for a test that acts on the running build.</summary>
    public System.Diagnostics.ProcessStartInfo BuildStartInfo(params string[] arguments) =>
        DotnetCli.StartInfo(Directory, Variables(new Dictionary<string, string?>()),
            new[] { "build", ProjectPath, "--disable-build-servers", "-nodeReuse:false" }.Concat(arguments).ToArray());

    /// <summary>Like <see cref="Run"/>, with these environment variables set (null: removed) over the usual ones.</summary>
    public CommandResult RunWithEnvironment(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var result = DotnetCli.Run(Directory, Variables(environment), arguments);
        _log.WriteLine($"$ {result.CommandLine}  -> exit {result.ExitCode} in {result.Duration.TotalSeconds:F1} s");
        return result;
    }

    private Dictionary<string, string?> Variables(IReadOnlyDictionary<string, string?> environment)
    {
        var variables = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = _package.PackagesDirectory,
            ["MODELPRUNE_CACHE_DIR"] = CacheDirectory,
        };
        foreach (var (name, value) in environment) variables[name] = value;
        return variables;
    }

    private ConsumerProject Save()
    {
        var frameworks = _targetFrameworks.Contains(';')
            ? $"<TargetFrameworks>{_targetFrameworks}</TargetFrameworks>"
            : $"<TargetFramework>{_targetFrameworks}</TargetFramework>";
        File.WriteAllText(ProjectPath, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                {frameworks}
                <Nullable>enable</Nullable>
                {_properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelPrune.Build" Version="{_package.Version}" PrivateAssets="all" />
              </ItemGroup>
              <ItemGroup>
                {_items}
              </ItemGroup>
              {_targets}
            </Project>
            """);
        return this;
    }
}
