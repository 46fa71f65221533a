using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Tests.Settings;

/// <summary>
/// The files written from <see cref="SettingTable"/> match it: a setting added to the table and not to the targets
/// or the docs fails here. With MODELPRUNE_REGENERATE=1 the test rewrites them instead.
/// </summary>
public sealed class GeneratedSettingFilesTests
{
    private static bool Regenerate => Environment.GetEnvironmentVariable("MODELPRUNE_REGENERATE") == "1";

    [Fact]
    public void The_settings_targets_are_generated_from_the_table()
    {
        var path = Path.Combine(RepositoryRoot.Path, SettingFiles.TargetsPath);
        var expected = SettingFiles.Targets();
        if (Regenerate) File.WriteAllText(path, expected);

        Assert.Equal(expected, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    public static TheoryData<string, string> DocumentTables() => new()
    {
        { "docs/msbuild.md", "msbuild-prune" },
        { "docs/msbuild.md", "msbuild-baseline" },
        { "docs/engine.md", "cli-prune" },
        { "docs/engine.md", "cli-baseline" },
    };

    [Theory]
    [MemberData(nameof(DocumentTables))]
    public void The_docs_tables_are_generated_from_the_table(string document, string region)
    {
        var expected = region switch
        {
            "msbuild-prune" => SettingFiles.MsBuildTable(SettingStage.Prune),
            "msbuild-baseline" => SettingFiles.MsBuildTable(SettingStage.Baseline),
            "cli-prune" => SettingFiles.CommandLineTable(SettingStage.Prune),
            "cli-baseline" => SettingFiles.CommandLineTable(SettingStage.Baseline),
            _ => throw new ArgumentOutOfRangeException(nameof(region)),
        };
        var path = Path.Combine(RepositoryRoot.Path, document);
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var begin = $"<!-- settings:{region} (generated from src/Settings/SettingTable.cs) -->\n";
        const string end = "<!-- /settings -->";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(start >= 0, $"{document} has no '{begin.Trim()}' marker");
        start += begin.Length;
        var stop = text.IndexOf(end, start, StringComparison.Ordinal);
        Assert.True(stop >= 0, $"{document} has no '{end}' after '{begin.Trim()}'");

        if (Regenerate)
        {
            File.WriteAllText(path, text[..start] + expected + text[stop..]);
            return;
        }

        Assert.Equal(expected, text[start..stop]);
    }

    [Fact]
    public void The_build_targets_write_both_stamps_and_import_the_settings_targets()
    {
        var targets = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "build", "ModelPrune.Build.targets"));

        Assert.Contains("<Import Project=\"$(MSBuildThisFileDirectory)ModelPrune.Build.Settings.targets\" />", targets);
        Assert.Contains($"%(_ModelPruneItem.{SettingFiles.PruneStampMetadata})", targets);
        Assert.Contains($"%(_ModelPruneBaselineItem.{SettingFiles.BaselineStampMetadata})", targets);
    }
}
