using System.Text.RegularExpressions;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Pruning;

/// <summary>
/// IncludeLayers/ExcludeLayers: semicolon-separated patterns matched against a layer's weight name and the names of
/// the nodes that use it. A pattern is a glob (<c>*</c> any run of characters, <c>?</c> one character,
/// whole-name match) unless written <c>regex:...</c>, which is a .NET regular expression searched anywhere
/// in the name. Empty Include selects every layer; Exclude wins over Include.
/// </summary>
internal sealed class LayerSelector
{
    /// <summary>How users meet the two lists: item metadata IncludeLayers/ExcludeLayers, or --include-layers/--exclude-layers.</summary>
    public static readonly string IncludeSetting = SettingTable.IncludeLayers.BothSpellings;
    public static readonly string ExcludeSetting = SettingTable.ExcludeLayers.BothSpellings;

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<(string Text, Regex Regex)> _include;
    private readonly IReadOnlyList<(string Text, Regex Regex)> _exclude;
    private readonly HashSet<string> _matched = new(StringComparer.Ordinal);

    private LayerSelector(IReadOnlyList<(string, Regex)> include, IReadOnlyList<(string, Regex)> exclude)
    {
        _include = include;
        _exclude = exclude;
    }

    public static LayerSelector Create(IReadOnlyList<string> include, IReadOnlyList<string> exclude, string file) =>
        new(Compile(include, IncludeSetting, file), Compile(exclude, ExcludeSetting, file));

    public static IReadOnlyList<string> SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? Array.Empty<string>()
            : text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when the layer is to be pruned; records which patterns matched something.</summary>
    public bool IsSelected(string weightName, IReadOnlyList<string> nodeNames)
    {
        var included = _include.Count == 0;
        foreach (var (text, regex) in _include)
        {
            if (Matches(regex, weightName, nodeNames))
            {
                Record(text);
                included = true;
            }
        }

        var excluded = false;
        foreach (var (text, regex) in _exclude)
        {
            if (Matches(regex, weightName, nodeNames))
            {
                Record(text);
                excluded = true;
            }
        }

        return included && !excluded;
    }

    /// <summary>Patterns that matched no layer at all: usually a typo, so the caller warns (MP1010).</summary>
    public IEnumerable<(string Setting, string Pattern)> Unmatched()
    {
        foreach (var (text, _) in _include)
        {
            if (!_matched.Contains(text)) yield return (IncludeSetting, text);
        }

        foreach (var (text, _) in _exclude)
        {
            if (!_matched.Contains(text)) yield return (ExcludeSetting, text);
        }
    }

    private void Record(string text)
    {
        lock (_matched) { _matched.Add(text); }
    }

    private static bool Matches(Regex regex, string weightName, IReadOnlyList<string> nodeNames) =>
        regex.IsMatch(weightName) || nodeNames.Any(regex.IsMatch);

    private static IReadOnlyList<(string, Regex)> Compile(IReadOnlyList<string> patterns, string setting, string file)
    {
        var compiled = new List<(string, Regex)>();
        foreach (var pattern in patterns)
        {
            compiled.Add((pattern, ToRegex(pattern, setting, file)));
        }

        return compiled;
    }

    private static Regex ToRegex(string pattern, string setting, string file)
    {
        const string prefix = "regex:";
        if (!pattern.StartsWith(prefix, StringComparison.Ordinal))
        {
            var glob = "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
            return new Regex(glob, RegexOptions.CultureInvariant, MatchTimeout);
        }

        try
        {
            return new Regex(pattern.Substring(prefix.Length), RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidSelector, file,
                $"{setting} pattern '{pattern}' is not a valid regular expression ({e.Message}). Fix the pattern or write it as a glob without the 'regex:' prefix.");
        }
    }
}
