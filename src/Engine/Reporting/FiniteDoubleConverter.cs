using System.Text.Json;
using System.Text.Json.Serialization;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// Writes doubles in the shortest round-trip form (0.4 as <c>0.4</c>) and refuses NaN and infinity: JSON
/// cannot hold them, and a report with one is the engine's fault, not the user's.
/// </summary>
internal sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (!double.IsFinite(value))
        {
            throw new ModelPruneException(DiagnosticCodes.InternalError, string.Empty, $"The report holds a non-finite number ({value}); this is a ModelPrune bug, please report it.");
        }

        writer.WriteNumberValue(value);
    }
}
