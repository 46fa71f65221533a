using System.Text.Json.Serialization;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// Source-generated metadata: the engine starts once per model per build, and reflection-based
/// serializer warm-up would be a noticeable share of a cache hit.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PruneReport))]
[JsonSerializable(typeof(RunInfo))]
internal sealed partial class ReportJsonContext : JsonSerializerContext
{
}
