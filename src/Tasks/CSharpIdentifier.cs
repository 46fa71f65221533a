using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ModelPrune.Tasks;

/// <summary>
/// Turns file and project names into C# identifiers, and checks names a user wrote. The rules are the
/// language's (letters, digits, connectors, combining marks), judged per UTF-16 unit as the compiler does:
/// a character outside the Basic Multilingual Plane never survives, because the compiler rejects surrogates.
/// </summary>
internal static class CSharpIdentifier
{
    /// <summary>Reserved words (not contextual ones like <c>var</c>, which are valid type names).</summary>
    private static readonly HashSet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit",
        "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int",
        "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out",
        "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed",
        "short", "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try",
        "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>
    /// A type name from a file name: every run of characters that cannot be in an identifier separates words,
    /// each word starts upper-case (<c>my-model.v2</c> → <c>MyModelV2</c>), a leading digit gets an underscore
    /// (<c>_2stage</c>), and a name with nothing usable left becomes <c>Model</c>. Upper-casing the first letter
    /// also keeps the result clear of keywords, which are all lower-case.
    /// </summary>
    public static string ToTypeName(string name)
    {
        var result = new StringBuilder();
        var startOfWord = true;
        foreach (var c in (name ?? string.Empty).Normalize(NormalizationForm.FormC))
        {
            if (!IsPartCharacter(c))
            {
                startOfWord = true;
                continue;
            }

            result.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }

        if (result.Length == 0 || result.ToString().All(c => c == '_'))
        {
            // Nothing but separators or underscores: "_" alone would read as a discard.
            return "Model";
        }

        return IsStartCharacter(result[0]) ? result.ToString() : "_" + result;
    }

    /// <summary>
    /// A namespace from a project's RootNamespace, keeping its case: each dot-separated segment loses what
    /// cannot be in an identifier (<c>my-app</c> → <c>my_app</c>). Empty stays empty: the global namespace.
    /// </summary>
    public static string ToNamespace(string rootNamespace)
    {
        var segments = (rootNamespace ?? string.Empty)
            .Normalize(NormalizationForm.FormC)
            .Split('.')
            .Select(segment => segment.Trim())
            .Where(segment => segment.Length != 0)
            .Select(ToNamespaceSegment);
        return string.Join(".", segments);
    }

    /// <summary>What a user wrote as a class name: a plain identifier, no keyword, no <c>@</c>.</summary>
    public static bool IsValid(string name) =>
        !string.IsNullOrEmpty(name)
        && IsStartCharacter(name[0])
        && name.All(IsPartCharacter)
        && !Keywords.Contains(name)
        && name.Any(c => c != '_');

    /// <summary>What a user wrote as a namespace: dot-separated valid identifiers.</summary>
    public static bool IsValidNamespace(string name) =>
        !string.IsNullOrEmpty(name) && name.Split('.').All(IsValid);

    private static string ToNamespaceSegment(string segment)
    {
        var result = new StringBuilder(segment.Length + 1);
        foreach (var c in segment)
        {
            result.Append(IsPartCharacter(c) ? c : '_');
        }

        var text = IsStartCharacter(result[0]) ? result.ToString() : "_" + result;
        return Keywords.Contains(text) ? "@" + text : text;
    }

    private static bool IsStartCharacter(char c) => c == '_' || IsLetter(CharUnicodeInfo.GetUnicodeCategory(c));

    /// <summary>
    /// Format characters (Cf) are legal but invisible, and the compiler ignores them when comparing names: two
    /// file names differing only by one would give two classes the compiler sees as one. They are dropped.
    /// </summary>
    private static bool IsPartCharacter(char c)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return IsLetter(category)
            || category == UnicodeCategory.DecimalDigitNumber
            || category == UnicodeCategory.ConnectorPunctuation
            || category == UnicodeCategory.NonSpacingMark
            || category == UnicodeCategory.SpacingCombiningMark;
    }

    private static bool IsLetter(UnicodeCategory category) =>
        category == UnicodeCategory.UppercaseLetter
        || category == UnicodeCategory.LowercaseLetter
        || category == UnicodeCategory.TitlecaseLetter
        || category == UnicodeCategory.ModifierLetter
        || category == UnicodeCategory.OtherLetter
        || category == UnicodeCategory.LetterNumber;
}
