namespace ModelPrune.Engine.Statistics;

/// <summary>
/// A copy of a model that also outputs the input statistics of the requested layers. It shares the tensors' bytes with
/// the model it copies; ONNX Runtime is handed it serialized, or past the 2 GiB protobuf limit as a file pair.
/// </summary>
internal sealed record StatisticsModel(global::Onnx.ModelProto Model, IReadOnlyList<LayerStatisticsOutputs> Layers)
{
    /// <summary>Every statistics output once, in the order the layers were requested.</summary>
    public IReadOnlyList<string> OutputNames { get; } = Layers
        .SelectMany(l => l.GramOutput is null ? new[] { l.NormsOutput, l.RowsOutput } : new[] { l.NormsOutput, l.GramOutput, l.RowsOutput })
        .Distinct(StringComparer.Ordinal)
        .ToArray();
}
