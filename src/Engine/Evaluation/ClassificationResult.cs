namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Class-score metrics over rows (items, or tokens of a sequence model): agreement of the pruned model's
/// answers with the original's, mean KL(original ‖ pruned) of their softmax distributions, and accuracy of
/// both against labels where labels were given (null otherwise). Unrounded; the report rounds.
/// </summary>
internal sealed record ClassificationResult(
    int Rows,
    double Top1Agreement,
    double Top5Agreement,
    double MeanKlDivergence,
    double? AccuracyOriginal,
    double? AccuracyPruned,
    int LabelledRows);
