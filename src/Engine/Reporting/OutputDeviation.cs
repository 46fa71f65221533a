namespace ModelPrune.Engine.Reporting;

/// <summary>
/// Deviation of one output: relative L2 = ||y' - y|| / ||y||, cosine of the flattened tensors, max |y' - y|;
/// Top1Agreement only where the output looks like class scores ([batch, classes], classes &gt; 1).
/// </summary>
public sealed record OutputDeviation(
    string Name,
    string ElementType,
    IReadOnlyList<long> Shape,
    double RelativeL2,
    double Cosine,
    double MaxAbs,
    double? Top1Agreement);
