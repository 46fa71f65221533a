using System.Text;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Tests.Settings;

/// <summary>
/// What <see cref="SettingTable"/> says, written as the files that must agree with it: the MSBuild settings targets
/// and the settings tables of the docs. <see cref="GeneratedSettingFilesTests"/> holds the checked-in files to these.
/// </summary>
internal static class SettingFiles
{
    public const string TargetsPath = "build/ModelPrune.Build.Settings.targets";

    /// <summary>Item metadata holding one item's prune settings as stamp text (see ModelPrune.Build.targets).</summary>
    public const string PruneStampMetadata = "_PruneSettingsStamp";

    /// <summary>The same for the baseline gate's settings, which have a stamp of their own.</summary>
    public const string BaselineStampMetadata = "_BaselineSettingsStamp";

    public static string Targets()
    {
        var text = new StringBuilder();
        text.Append("<Project>\n");
        text.Append("  <!--\n");
        text.Append("    Generated from src/Settings/SettingTable.cs; do not edit. After changing the table, run the engine\n");
        text.Append("    tests with MODELPRUNE_REGENERATE=1 set: GeneratedSettingFilesTests rewrites this file and the docs tables.\n");
        text.Append("  -->\n\n");
        text.Append("  <!-- A project-wide property is the default of every item that leaves the metadata empty. -->\n");
        text.Append("  <ItemDefinitionGroup>\n");
        text.Append("    <PruneModel>\n");
        foreach (var setting in SettingTable.All.Where(s => s.PropertyName is not null))
        {
            text.Append($"      <{setting.Name} Condition=\"'%(PruneModel.{setting.Name})' == ''\">$({setting.PropertyName})</{setting.Name}>\n");
        }

        text.Append("    </PruneModel>\n");
        text.Append("  </ItemDefinitionGroup>\n\n");
        text.Append("  <!-- Timestamps cannot see a metadata change: each item's settings become stamp text, written to a file\n");
        text.Append("       only when it changes. The baseline gate's settings have their own, so editing a tolerance never re-prunes;\n");
        text.Append("       MaxMetricDrop and DropType, also the target of Sparsity=\"auto\", are in both. -->\n");
        text.Append("  <Target Name=\"_ModelPruneComputeSettingsStamps\">\n");
        text.Append("    <ItemGroup>\n");
        text.Append("      <_ModelPruneItem>\n");
        text.Append($"        <{PruneStampMetadata}>{StampText(SettingStage.Prune)}</{PruneStampMetadata}>\n");
        text.Append($"        <{BaselineStampMetadata}>{StampText(SettingStage.Baseline)}</{BaselineStampMetadata}>\n");
        text.Append("      </_ModelPruneItem>\n");
        text.Append("    </ItemGroup>\n");
        text.Append("  </Target>\n");
        text.Append("</Project>\n");
        return text.ToString();
    }

    /// <summary>The <c>PruneModel</c> metadata table of docs/msbuild.md for one stage.</summary>
    public static string MsBuildTable(SettingStage stage)
    {
        var text = new StringBuilder();
        text.Append("| Metadata | Property | Type | Default | Meaning |\n");
        text.Append("| --- | --- | --- | --- | --- |\n");
        foreach (var setting in SettingTable.All.Where(s => s.IsReadBy(stage)))
        {
            static string Metadata(SettingDefinition s) => $"`{s.Name}`";
            var property = setting.PropertyName is null ? "" : $"`{setting.PropertyName}`";
            text.Append($"| `{setting.Name}` | {property} | {TypeName(setting.Type)} | {SettingDefinition.Render(setting.DefaultText, Metadata)} | {setting.RenderDoc(Metadata)} |\n");
        }

        return text.ToString();
    }

    /// <summary>The options table of docs/engine.md for one stage's settings.</summary>
    public static string CommandLineTable(SettingStage stage)
    {
        var text = new StringBuilder();
        text.Append("| option | type | default | meaning |\n");
        text.Append("| --- | --- | --- | --- |\n");
        foreach (var setting in SettingTable.All.Where(s => s.IsReadBy(stage)))
        {
            static string Option(SettingDefinition s) => $"`{s.CommandLineName}`";
            var names = string.Join(", ", new[] { setting.CommandLineName }.Concat(setting.CommandLineAliases).Select(name => $"`{name}`"));
            text.Append($"| {names} | {TypeName(setting.Type)} | {SettingDefinition.Render(setting.DefaultText, Option)} | {setting.RenderDoc(Option)} (`{setting.Name}`) |\n");
        }

        return text.ToString();
    }

    private static string StampText(SettingStage stage) =>
        string.Join(";", SettingTable.All.Where(s => s.IsReadBy(stage)).Select(s => $"{s.Name}=%(_ModelPruneItem.{s.Name})"));

    private static string TypeName(SettingType type) => type switch
    {
        SettingType.Number => "number",
        SettingType.WholeNumber => "whole number",
        SettingType.Choice => "word",
        SettingType.List => "`;`-list",
        SettingType.File => "file",
        SettingType.Files => "files",
        SettingType.Boolean => "`true`/`false`",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
