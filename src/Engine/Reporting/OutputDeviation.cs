namespace ModelPrune.Engine.Reporting;

/// <summary>
/// Deviation of one output: relative L2 = ||y' - y|| / ||y||, cosine of the flattened tensors, max |y' - y|;
/// then the metrics of the output's task (<see cref="Task"/>, chosen as <see cref="TaskReason"/> says):
/// classification and language models agreement and KL divergence, accuracy against labels, perplexity;
/// embeddings per-item cosine and nearest-neighbour agreement. Metrics a task does not have are null.
/// </summary>
internal sealed record OutputDeviation(
    string Name,
    string ElementType,
    IReadOnlyList<long> Shape,
    double RelativeL2,
    double Cosine,
    double MaxAbs,
    double? Top1Agreement,
    string? Task = null,
    string? TaskReason = null,
    string? Labels = null,
    double? AccuracyOriginal = null,
    double? AccuracyPruned = null,
    double? Top5Agreement = null,
    double? MeanKlDivergence = null,
    double? MeanItemCosine = null,
    double? P5ItemCosine = null,
    double? NeighbourAgreement = null,
    double? PerplexityOriginal = null,
    double? PerplexityPruned = null);
