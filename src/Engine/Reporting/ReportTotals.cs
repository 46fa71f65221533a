namespace ModelPrune.Engine.Reporting;

/// <summary>
/// PrunableParameters counts the weights of the layers that were pruned; ModelParameters every float
/// element of every initializer and Constant in the model.
/// </summary>
internal sealed record ReportTotals(
    int LayersPruned,
    int LayersExcluded,
    int LayersSkipped,
    long PrunableParameters,
    long PrunableZeros,
    double PrunableSparsity,
    long ModelParameters,
    long ModelZeros,
    double ModelSparsity);
