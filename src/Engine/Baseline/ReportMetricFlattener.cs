using System.Text.Json;

namespace ModelPrune.Engine.Baseline;

/// <summary>
/// Lists every quality metric of a report by path, wherever it sits: <c>evaluation.outputs[logits].cosine</c>,
/// <c>layers[fc1.weight].reconstructionError</c>, or in sections added later. Array elements with a unique
/// <c>name</c> are addressed by it, so inserting an output or layer does not shift the others' paths.
/// </summary>
internal static class ReportMetricFlattener
{
    /// <summary>What was asked for and which files went in: the structure check and the hash cover them, not metrics.</summary>
    private static readonly HashSet<string> NonResultSections = new(StringComparer.Ordinal)
    {
        "schema", "engine", "input", "output", "settings", "warnings",
    };

    public static IReadOnlyDictionary<string, ReportMetric> Flatten(JsonElement report)
    {
        var metrics = new SortedDictionary<string, ReportMetric>(StringComparer.Ordinal);
        if (report.ValueKind != JsonValueKind.Object)
        {
            return metrics;
        }

        foreach (var property in report.EnumerateObject())
        {
            if (!NonResultSections.Contains(property.Name))
            {
                Visit(property.Value, property.Name, property.Name, parentName: null, metrics);
            }
        }

        return metrics;
    }

    private static void Visit(JsonElement element, string path, string name, string? parentName, IDictionary<string, ReportMetric> metrics)
    {
        if (MetricNames.IsMachineSpecific(name))
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                if (MetricNames.DirectionOf(name, parentName) is { } direction && element.TryGetDouble(out var value))
                {
                    metrics[path] = new ReportMetric(path, name, value, direction);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Visit(property.Value, $"{path}.{property.Name}", property.Name, name, metrics);
                }

                break;
            case JsonValueKind.Array:
                var keys = ElementKeys(element);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    // An element has no name of its own: it is measured by its array's name (cosinePerSample[3]).
                    Visit(item, $"{path}[{keys[index++]}]", name, parentName, metrics);
                }

                break;
        }
    }

    private static IReadOnlyList<string> ElementKeys(JsonElement array)
    {
        var names = array.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null)
            .ToArray();
        var usable = names.All(n => !string.IsNullOrEmpty(n)) && names.Distinct(StringComparer.Ordinal).Count() == names.Length;
        return usable ? names.Select(n => n!).ToArray() : Enumerable.Range(0, names.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
