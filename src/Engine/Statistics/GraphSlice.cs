namespace ModelPrune.Engine.Statistics;

/// <summary>One part of a model cut by <see cref="GraphSlicer"/>.</summary>
/// <param name="Model">The part as a model of its own: its nodes, the weights they read, the statistics outputs and the carried values as outputs.</param>
/// <param name="FromBatch">The model inputs the part reads, fed from each calibration batch.</param>
/// <param name="FromEarlier">The values earlier parts computed and carried that this part reads, fed per batch.</param>
/// <param name="CarriedOn">The values this part computes that later parts read.</param>
internal sealed record GraphSlice(
    global::Onnx.ModelProto Model,
    IReadOnlyList<string> FromBatch,
    IReadOnlyList<string> FromEarlier,
    IReadOnlyList<string> CarriedOn);
