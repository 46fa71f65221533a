using System.Text.RegularExpressions;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Cli;

/// <summary>A setting's doc text from <see cref="SettingTable"/> as plain text for <c>--help</c>.</summary>
internal static class SettingHelp
{
    private static readonly Regex Link = new(@"\[([^\]]+)\]\([^)]+\)", RegexOptions.CultureInvariant);

    public static string Describe(SettingDefinition setting)
    {
        var text = setting.RenderDoc(other => other.CommandLineName);
        text = Link.Replace(text, "$1").Replace("`", string.Empty).Replace("\\|", "|");
        return $"{text} (default: {PlainDefault(setting)})";
    }

    private static string PlainDefault(SettingDefinition setting) =>
        SettingDefinition.Render(setting.DefaultText, other => other.CommandLineName).Replace("`", string.Empty);
}
