using System.Globalization;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Evaluation;

/// <summary>Parses the <c>ModelPruneDimensions</c> text, e.g. <c>batch=4;sequence=32</c> or <c>input_ids:1=32</c>.</summary>
internal static class DimensionOverrideParser
{
    public static IReadOnlyDictionary<string, long> Parse(string? text, string file)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        // MSBuild users write lists with ';', command lines more naturally with ','; both mean the same.
        foreach (var rawPart in text.Split(new[] { ';', ',' }))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                // A trailing or doubled separator is a harmless slip, not worth failing a build over.
                continue;
            }

            var equals = part.IndexOf('=');
            if (equals < 0 || equals != part.LastIndexOf('='))
            {
                throw Invalid(file, part, "expected NAME=SIZE or INPUT:AXIS=SIZE");
            }

            var key = part[..equals].Trim();
            var valueText = part[(equals + 1)..].Trim();
            if (key.Length == 0)
            {
                throw Invalid(file, part, "the dimension name is empty");
            }

            ValidateKey(file, part, key);

            if (!long.TryParse(valueText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                throw Invalid(file, part, $"the size '{valueText}' is not a positive integer");
            }

            if (!result.TryAdd(key, value))
            {
                throw Invalid(file, part, $"'{key}' is given more than once");
            }
        }

        return result;
    }

    private static void ValidateKey(string file, string part, string key)
    {
        var colon = key.LastIndexOf(':');
        if (colon < 0)
        {
            return;
        }

        var input = key[..colon].Trim();
        var axis = key[(colon + 1)..].Trim();
        if (input.Length == 0 || !int.TryParse(axis, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw Invalid(file, part, $"'{key}' should be INPUT:AXIS with a non-negative integer axis");
        }
    }

    private static ModelPruneException Invalid(string file, string part, string why) =>
        new(DiagnosticCodes.InvalidDimensionOverride, file, $"Invalid dimension override '{part}': {why} (example: batch=4;sequence=32;input_ids:1=32).");
}
