namespace ModelPrune.Engine.Reporting;

/// <summary>
/// What structured pruning did to the model as a whole: the settings that only it reads, the parameters of the
/// pruned groups before and the share removed, and every group with its status.
/// </summary>
internal sealed record StructuredReport(
    string Structure,
    string Allocation,
    int MinUnitsPerLayer,
    int UnitMultiple,
    long PrunableParameters,
    long RemovedParameters,
    double RemovedFraction,
    IReadOnlyList<UnitGroupReport> Groups);
