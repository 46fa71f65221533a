using System.Text.Json;

namespace ModelPrune.Engine.Reporting;

/// <summary>Reads and writes <c>name.prune.json</c> in its canonical byte form.</summary>
internal static class ReportJson
{
    public static byte[] Serialize(PruneReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return CanonicalJson.Serialize(report);
    }

    /// <summary>Throws <see cref="JsonException"/> when the bytes are not a complete report of the current schema.</summary>
    public static PruneReport Deserialize(byte[] json)
    {
        var report = CanonicalJson.Deserialize<PruneReport>(json);
        if (report.Schema != PruneReport.CurrentSchema)
        {
            throw new JsonException($"The report has schema '{report.Schema}'; this ModelPrune reads '{PruneReport.CurrentSchema}'.");
        }

        return report;
    }

    /// <summary>The report, or null when the bytes are not one (a cache entry written by a broken or older engine).</summary>
    public static PruneReport? TryDeserialize(byte[] json)
    {
        try
        {
            return Deserialize(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
