using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ModelPrune.Settings;

/// <summary>
/// One row of <see cref="SettingTable"/>: everything the package, the engine and the docs need to know about a
/// setting. The item metadata name and the request key are <see cref="Name"/>; the command-line option is its
/// kebab-case spelling; only older spellings users may have written are kept, as <see cref="CommandLineAliases"/>.
/// </summary>
internal sealed class SettingDefinition
{
    public SettingDefinition(
        string name,
        SettingType type,
        string defaultText,
        SettingStage stage,
        bool joinsCacheKey,
        string doc,
        string? propertyName = null,
        params string[] commandLineAliases)
    {
        Name = name;
        Type = type;
        DefaultText = defaultText;
        Stage = stage;
        JoinsCacheKey = joinsCacheKey;
        Doc = doc;
        PropertyName = propertyName;
        CommandLineAliases = commandLineAliases;
    }

    /// <summary>PascalCase: the <c>PruneModel</c> metadata, the key in the engine's request file.</summary>
    public string Name { get; }

    public SettingType Type { get; }

    /// <summary>The default as the docs state it (Markdown); empty settings take the engine's default.</summary>
    public string DefaultText { get; }

    public SettingStage Stage { get; }

    /// <summary>
    /// A baseline setting the prune command reads too: the search of <c>Sparsity="auto"</c> keeps the model within the
    /// same tolerance the gate checks, so both read one spelling of it.
    /// </summary>
    // A setter, not init: the task compiles this file for netstandard2.0, which has no init accessors. Only the table sets it.
    public bool AlsoReadWhenPruning { get; set; }

    /// <summary>Whether <paramref name="stage"/>'s command reads this setting (its options, request and stamp carry it).</summary>
    public bool IsReadBy(SettingStage stage) => Stage == stage || (stage == SettingStage.Prune && AlsoReadWhenPruning);

    /// <summary>
    /// Whether the value decides the pruned model or report, and so joins the engine's cache key. Settings that
    /// only decide where the work runs (Device) do not: a result is the same on any device.
    /// </summary>
    public bool JoinsCacheKey { get; }

    /// <summary>Markdown. <c>{Name}</c> names another setting and renders as metadata or option, per document.</summary>
    public string Doc { get; }

    /// <summary>The MSBuild property giving every item of a project this setting's default; null for per-model settings.</summary>
    public string? PropertyName { get; }

    /// <summary><c>--sparsity</c>, <c>--include-layers</c>: the kebab-case spelling of <see cref="Name"/>.</summary>
    public string CommandLineName => "--" + KebabCase(Name);

    /// <summary>Earlier command-line spellings, still accepted.</summary>
    public IReadOnlyList<string> CommandLineAliases { get; }

    /// <summary>How a message names the setting for MSBuild and command-line users alike: <c>IncludeLayers (--include-layers)</c>.</summary>
    public string BothSpellings => $"{Name} ({CommandLineName})";

    /// <summary>camelCase, as the setting appears in the engine's canonical settings text (the cache key).</summary>
    public string CanonicalKey => char.ToLowerInvariant(Name[0]) + Name.Substring(1);

    public override string ToString() => Name;

    /// <summary>The doc text with each <c>{Name}</c> written by <paramref name="spell"/>.</summary>
    public string RenderDoc(Func<SettingDefinition, string> spell) => Render(Doc, spell);

    public static string Render(string text, Func<SettingDefinition, string> spell)
    {
        var result = new StringBuilder(text.Length);
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf('{', position);
            var close = open < 0 ? -1 : text.IndexOf('}', open);
            if (close < 0)
            {
                result.Append(text, position, text.Length - position);
                break;
            }

            result.Append(text, position, open - position);
            var name = text.Substring(open + 1, close - open - 1);
            var setting = SettingTable.All.FirstOrDefault(s => s.Name == name)
                ?? throw new InvalidOperationException($"The doc text '{text}' names an unknown setting {{{name}}}.");
            result.Append(spell(setting));
            position = close + 1;
        }

        return result.ToString();
    }

    private static string KebabCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                result.Append('-');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
