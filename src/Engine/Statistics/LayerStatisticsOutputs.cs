namespace ModelPrune.Engine.Statistics;

/// <summary>
/// The graph outputs of the statistics model that belong to one layer. Layers that read the same
/// activation (e.g. the query, key and value projections) share one set of outputs.
/// </summary>
/// <param name="NormsOutput">Σ_t X[t,j]² as a [d] tensor (float, or double for float64 models).</param>
/// <param name="GramOutput">XᵀX as a [d, d] tensor, or null when it was not requested for any layer on this activation.</param>
/// <param name="RowsOutput">The batch's token count as an int64 scalar.</param>
internal sealed record LayerStatisticsOutputs(LayerInput Layer, string NormsOutput, string? GramOutput, string RowsOutput);
