using System.Text.Json;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Pipeline;

/// <summary>Reads the task's request JSON (schema in docs/engine.md); a malformed file is MP1019.</summary>
internal static class BatchRequestReader
{
    public static BatchRequest Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var cache = new CacheOptions(
                !root.TryGetProperty("cacheEnabled", out var enabled) || enabled.GetBoolean(),
                NullIfEmpty(OptionalString(root, "cacheDirectory")));
            var baseDirectory = NullIfEmpty(OptionalString(root, "baseDirectory"));
            var jobs = root.GetProperty("models").EnumerateArray().Select(m => ReadJob(m) with { BaseDirectory = baseDirectory }).ToArray();
            return new BatchRequest(cache, jobs, NullIfEmpty(OptionalString(root, "onnxRuntimeNativeDirectory")));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidRequest, path,
                $"The engine request file is malformed ({e.Message}). It is written by the ModelPrune task; rebuild, and report a bug if it persists.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidRequest, path, $"The engine request file cannot be read ({e.Message}).");
        }
    }

    private static ModelJob ReadJob(JsonElement model)
    {
        var settings = model.TryGetProperty("settings", out var s) ? s : default;
        string? Setting(SettingDefinition setting) =>
            settings.ValueKind == JsonValueKind.Object ? NullIfEmpty(OptionalString(settings, setting.Name)) : null;

        var modelPath = RequiredString(model, "model");
        string OutputPath(string name) => Path.GetFullPath(RequiredString(model, name));
        return new ModelJob(
            Path.GetFullPath(modelPath),
            OptionalString(model, "displayName") ?? modelPath,
            OutputPath("output"),
            OutputPath("report"),
            OutputPath("summary"),
            OutputPath("markdown"),
            OutputPath("html"),
            OutputPath("runInfo"),
            RawSettings.From(Setting));
    }

    private static string RequiredString(JsonElement element, string name) =>
        element.GetProperty(name).GetString() is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new FormatException($"'{name}' is null or empty");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
