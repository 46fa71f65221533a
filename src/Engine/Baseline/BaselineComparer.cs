using System.Globalization;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Baseline;

/// <summary>
/// Compares a new report with its baseline: metrics within their tolerances (only getting worse counts),
/// the layers and their status and sparsity exactly, and the pruned model's hash when asked to.
/// </summary>
internal static class BaselineComparer
{
    public static IReadOnlyList<BaselineDifference> Compare(BaselineReport baseline, BaselineReport current, ToleranceSettings settings)
    {
        if (baseline.Schema != current.Schema)
        {
            // Paths and meanings may differ between schemas: comparing field by field would mislead.
            return new[]
            {
                new BaselineDifference(DiagnosticCodes.BaselineSchemaChanged,
                    $"The baseline is a '{baseline.Schema}' report, the new report is '{current.Schema}' (a different ModelPrune report format); they cannot be compared."),
            };
        }

        var differences = new List<BaselineDifference>();
        CompareLayers(baseline, current, differences);
        if (settings.CompareModelHash && !string.Equals(baseline.OutputSha256, current.OutputSha256, StringComparison.OrdinalIgnoreCase))
        {
            differences.Add(new BaselineDifference(DiagnosticCodes.BaselineModelHashChanged,
                $"The pruned model is no longer bit-identical to the baseline's (CompareModelHash=true): output.sha256 was {baseline.OutputSha256 ?? "missing"}, is now {current.OutputSha256 ?? "missing"}."));
        }

        CompareMetrics(baseline, current, settings, differences);
        return differences;
    }

    /// <summary>The override keys that matched no metric of the baseline: usually a typo.</summary>
    public static IReadOnlyList<string> UnusedToleranceKeys(BaselineReport baseline, ToleranceSettings settings) =>
        settings.Overrides
            .Where(o => !baseline.Metrics.Keys.Any(o.Matches))
            .Select(o => o.Key)
            .ToArray();

    private static void CompareLayers(BaselineReport baseline, BaselineReport current, List<BaselineDifference> differences)
    {
        var currentLayers = current.Layers.GroupBy(l => l.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var baselineNames = baseline.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in baseline.Layers)
        {
            if (!currentLayers.TryGetValue(expected.Name, out var actual))
            {
                differences.Add(Structure($"Layer '{expected.Name}' is in the baseline but not in the new report."));
                continue;
            }

            if (!string.Equals(expected.Status, actual.Status, StringComparison.Ordinal))
            {
                differences.Add(Structure($"Layer '{expected.Name}' was {expected.Status ?? "without status"} in the baseline, is {actual.Status ?? "without status"} now."));
            }

            // Exact: the same settings on the same model give the same zeros on every machine.
            if (expected.Sparsity != actual.Sparsity)
            {
                differences.Add(Structure($"Layer '{expected.Name}' has sparsity {FormatExact(actual.Sparsity)}, the baseline {FormatExact(expected.Sparsity)} (compared exactly)."));
            }
        }

        foreach (var added in current.Layers.Where(l => !baselineNames.Contains(l.Name)))
        {
            differences.Add(Structure($"Layer '{added.Name}' ({added.Status ?? "without status"}) is new: the baseline does not have it."));
        }
    }

    private static void CompareMetrics(BaselineReport baseline, BaselineReport current, ToleranceSettings settings, List<BaselineDifference> differences)
    {
        // Metrics only the new report has (added by a newer engine) pass: there is nothing to regress from.
        foreach (var expected in baseline.Metrics.Values)
        {
            if (!current.Metrics.TryGetValue(expected.Path, out var actual))
            {
                differences.Add(new BaselineDifference(DiagnosticCodes.BaselineMetricMissing,
                    $"Metric {expected.Path} (baseline {Format(expected.Value)}) is missing from the new report."));
                continue;
            }

            var worsening = expected.Direction == MetricDirection.HigherIsBetter ? expected.Value - actual.Value : actual.Value - expected.Value;
            var (tolerance, source) = settings.For(expected.Path);
            var allowed = tolerance.AllowedWorseningFrom(expected.Value);
            // Values are rounded to 6 significant digits; a drop of exactly the tolerance must not fail on the
            // last bit of a subtraction.
            var slack = 1e-12 * Math.Max(1, Math.Max(Math.Abs(expected.Value), Math.Abs(actual.Value)));
            if (worsening > allowed + slack)
            {
                var better = expected.Direction == MetricDirection.HigherIsBetter ? "higher" : "lower";
                var allowedText = tolerance.IsRelative ? $"{tolerance} of the baseline = {Format(allowed)}" : tolerance.ToString();
                differences.Add(new BaselineDifference(DiagnosticCodes.MetricRegressed,
                    $"Metric {expected.Path} got worse: baseline {Format(expected.Value)}, new {Format(actual.Value)} ({better} is better), by {Format(worsening)}; the tolerance is {allowedText} ({source})."));
            }
        }
    }

    private static BaselineDifference Structure(string message) => new(DiagnosticCodes.BaselineStructureChanged, message);

    private static string Format(double? value) => value is { } v ? Format(v) : "missing";

    private static string FormatExact(double? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "missing";

    private static string Format(double value)
    {
        // Differences such as 0.99 - 0.971261 carry binary noise; 6 significant digits is what the report keeps.
        var rounded = double.Parse(value.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return rounded.ToString(CultureInfo.InvariantCulture);
    }
}
