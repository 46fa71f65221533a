using System.Text.Json;

namespace ModelPrune.Engine.Reporting;

/// <summary>Reads and writes <c>name.prune.run.json</c>, in the same canonical form as the report.</summary>
internal static class RunInfoJson
{
    public static byte[] Serialize(RunInfo run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return CanonicalJson.Serialize(run);
    }

    /// <summary>Throws <see cref="JsonException"/> when the bytes are not a complete run record.</summary>
    public static RunInfo Deserialize(byte[] json) => CanonicalJson.Deserialize<RunInfo>(json);
}
