using System.Text.Json;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Baseline;

/// <summary>
/// Reads a report generically (JsonDocument, not the engine's report types): a baseline written by an older or
/// newer engine, or a report with metrics this engine does not know, must still be comparable.
/// </summary>
internal static class BaselineReportReader
{
    public const string SchemaPrefix = "modelprune.report/";

    /// <summary>Throws <see cref="ModelPruneException"/> with <paramref name="code"/> when the bytes are not a ModelPrune report.</summary>
    public static BaselineReport Read(byte[] json, string file, string code)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ModelPruneException(code, file, $"The file is not valid JSON ({e.Message}). {Advice(code)}", e);
        }

        using (document)
        {
            try
            {
                return ReadReport(document.RootElement, file, code);
            }
            catch (InvalidOperationException e)
            {
                // JsonDocument checks the structure, not every string's UTF-8: a damaged byte inside a string shows only when it is read.
                throw new ModelPruneException(code, file, $"The file is not valid UTF-8 JSON ({e.Message}). {Advice(code)}", e);
            }
        }
    }

    private static BaselineReport ReadReport(JsonElement root, string file, string code)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String
            || !schema.GetString()!.StartsWith(SchemaPrefix, StringComparison.Ordinal))
        {
            throw new ModelPruneException(code, file, $"The file is not a ModelPrune report (no \"schema\": \"{SchemaPrefix}…\"). {Advice(code)}");
        }

        if (!root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array
            || layers.EnumerateArray().Any(l => l.ValueKind != JsonValueKind.Object || !l.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String))
        {
            throw new ModelPruneException(code, file, $"The report has no \"layers\" array of named layers. {Advice(code)}");
        }

        var outputHash = root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object
            && output.TryGetProperty("sha256", out var sha) && sha.ValueKind == JsonValueKind.String
            ? sha.GetString()
            : null;

        return new BaselineReport(schema.GetString()!, outputHash, layers.EnumerateArray().Select(ReadLayer).ToArray(), ReportMetricFlattener.Flatten(root));
    }

    private static LayerStructure ReadLayer(JsonElement layer)
    {
        var status = layer.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var sparsity = layer.TryGetProperty("sparsity", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : (double?)null;
        return new LayerStructure(layer.GetProperty("name").GetString()!, status, sparsity);
    }

    private static string Advice(string code) => code == DiagnosticCodes.BaselineUnreadable
        ? "Restore the baseline from version control, delete it to have the next build create it, or accept the current report with -p:ModelPruneAcceptBaseline=true."
        : "Give the <name>.prune.json that ModelPrune wrote for the model.";
}
