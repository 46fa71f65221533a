using System.Globalization;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Baseline;

/// <summary>
/// Parses <c>MaxMetricDrop="0.01"</c>, <c>MetricTolerances="cosine=0.005;perplexity=2%"</c> and
/// <c>CompareModelHash="true"</c> as written in the project, so MSBuild and the command line share one validation.
/// </summary>
internal static class ToleranceSettingsParser
{
    public static ToleranceSettings Parse(string? maxMetricDrop, string? metricTolerances, string? compareModelHash, string file, string? dropType = null)
    {
        var relative = ParseDropType(dropType, file);
        var defaultTolerance = ParseMaxMetricDrop(maxMetricDrop, relative, file);

        var overrides = new List<MetricTolerance>();
        foreach (var entry in (metricTolerances ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=');
            var key = equals < 0 ? string.Empty : entry[..equals].Trim();
            if (equals < 0 || key.Length == 0 || key.StartsWith('.') || key.EndsWith('.'))
            {
                throw Invalid(file, $"MetricTolerances entry '{entry}' is not metric=tolerance. Write e.g. MetricTolerances=\"cosine=0.005;top1Agreement=0.02;perplexity=2%\".");
            }

            if (overrides.Any(o => o.Key.Equals(key, StringComparison.OrdinalIgnoreCase)))
            {
                throw Invalid(file, $"MetricTolerances names '{key}' twice; give each metric one tolerance.");
            }

            overrides.Add(new MetricTolerance(key, ParseTolerance(entry[(equals + 1)..].Trim(), $"MetricTolerances '{key}'", relative, file)));
        }

        return new ToleranceSettings(defaultTolerance, overrides, ParseBoolean(compareModelHash, file));
    }

    /// <summary>MaxMetricDrop alone, as the search of Sparsity="auto" reads it: the same tolerance the gate would apply.</summary>
    public static Tolerance ParseMaxMetricDrop(string? maxMetricDrop, bool relative, string file)
    {
        if (string.IsNullOrWhiteSpace(maxMetricDrop))
        {
            return ToleranceSettings.DefaultMaxMetricDrop with { IsRelative = relative };
        }

        return ParseTolerance(maxMetricDrop.Trim(), "MaxMetricDrop", relative, file);
    }

    /// <summary>DropType: whether a plain number is a share of the reference value (true) or an amount (false, the default).</summary>
    public static bool ParseDropType(string? dropType, string file) =>
        (dropType?.Trim().ToLowerInvariant() ?? "absolute") switch
        {
            "" or "absolute" => false,
            "relative" => true,
            _ => throw new ModelPruneException(DiagnosticCodes.InvalidDropType, file,
                $"DropType '{dropType}' is not known. Use \"absolute\" (MaxMetricDrop=\"0.01\" is one point of accuracy; the default) or \"relative\" (0.01 is 1% of the reference value)."),
        };

    private static Tolerance ParseTolerance(string text, string setting, bool relative, string file)
    {
        var isRelative = text.EndsWith('%');
        var number = isRelative ? text[..^1].Trim() : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            throw Invalid(file, $"{setting} '{text}' is not a tolerance: give a non-negative number with a dot (0.01, an absolute amount) or a percentage of the baseline value (2%).");
        }

        return isRelative ? new Tolerance(value / 100, IsRelative: true) : new Tolerance(value, relative);
    }

    private static bool ParseBoolean(string? text, string file)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (text.Trim().Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw new ModelPruneException(DiagnosticCodes.InvalidCompareModelHash, file,
            $"CompareModelHash '{text}' is neither true nor false. Use CompareModelHash=\"true\" only when the pruned model must stay bit-identical (same engine, same device).");
    }

    private static ModelPruneException Invalid(string file, string message) =>
        new(DiagnosticCodes.InvalidBaselineTolerance, file, message);
}
