using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace ModelPrune.Tasks;

/// <summary>
/// The engine's <c>name.prune.summary</c>: <c>key=value</c> lines with <c>\\</c>, <c>\n</c> and <c>\r</c>
/// escaped in values. Keys this reader does not know are ignored, so newer engines can add some.
/// </summary>
internal sealed class ModelSummary
{
    public const string Schema = "modelprune.summary/1";

    private readonly Dictionary<string, string> _values;

    private ModelSummary(Dictionary<string, string> values)
    {
        _values = values;
    }

    public static ModelSummary Read(string path) => Parse(File.ReadAllText(path, Encoding.UTF8));

    /// <exception cref="FormatException">Not a summary of the known schema.</exception>
    public static ModelSummary Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Length == 0)
            {
                continue;
            }

            var equals = trimmed.IndexOf('=');
            if (equals <= 0)
            {
                throw new FormatException($"the line '{trimmed}' is not key=value");
            }

            values[trimmed.Substring(0, equals)] = Unescape(trimmed.Substring(equals + 1));
        }

        var summary = new ModelSummary(values);
        var schema = summary.Text("schema");
        if (schema != Schema)
        {
            throw new FormatException($"schema '{schema}' is not {Schema}");
        }

        return summary;
    }

    public string Text(string key) =>
        _values.TryGetValue(key, out var value) ? value : throw new FormatException($"'{key}' is missing");

    public bool Has(string key) => _values.ContainsKey(key);

    public long Integer(string key) =>
        long.TryParse(Text(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{key}' is not an integer: '{Text(key)}'");

    /// <summary>
    /// The number as the engine wrote it (shortest round-trip form), checked: the generated code uses the
    /// text itself, so .NET Framework's older double formatting never gets a say.
    /// </summary>
    public string Number(string key)
    {
        var text = Text(key);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException($"'{key}' is not a number: '{text}'");
        }

        return text;
    }

    private static string Unescape(string value)
    {
        if (value.IndexOf('\\') < 0)
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '\\' || i == value.Length - 1)
            {
                result.Append(c);
                continue;
            }

            var next = value[++i];
            result.Append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
        }

        return result.ToString();
    }
}
