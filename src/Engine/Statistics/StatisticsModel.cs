namespace ModelPrune.Engine.Statistics;

/// <summary>A serialized copy of a model that also outputs the input statistics of the requested layers.</summary>
internal sealed record StatisticsModel(byte[] ModelBytes, IReadOnlyList<LayerStatisticsOutputs> Layers)
{
    /// <summary>Every statistics output once, in the order the layers were requested.</summary>
    public IReadOnlyList<string> OutputNames { get; } = Layers
        .SelectMany(l => l.GramOutput is null ? new[] { l.NormsOutput, l.RowsOutput } : new[] { l.NormsOutput, l.GramOutput, l.RowsOutput })
        .Distinct(StringComparer.Ordinal)
        .ToArray();
}
