namespace ModelPrune.Engine.Evaluation;

/// <summary>The spellings of <see cref="EvaluationTask"/> in settings and reports.</summary>
internal static class EvaluationTaskNames
{
    public const string Auto = "auto";
    public const string Classification = "classification";
    public const string Embedding = "embedding";
    public const string Regression = "regression";
    public const string LanguageModel = "language-model";

    /// <summary>
    /// Hugging Face's name for one class per position; its "sequence classification" is one class per sequence,
    /// which is plain <see cref="Classification"/> here.
    /// </summary>
    public const string TokenClassification = "token-classification";

    public static IReadOnlyList<string> All { get; } = new[] { Auto, Classification, Embedding, Regression, LanguageModel, TokenClassification };

    public static string ToName(EvaluationTask task) => task switch
    {
        EvaluationTask.Classification => Classification,
        EvaluationTask.Embedding => Embedding,
        EvaluationTask.Regression => Regression,
        EvaluationTask.LanguageModel => LanguageModel,
        EvaluationTask.TokenClassification => TokenClassification,
        _ => Auto,
    };

    public static bool TryParse(string? text, out EvaluationTask task)
    {
        var name = string.IsNullOrWhiteSpace(text) ? Auto : text.Trim().ToLowerInvariant();
        foreach (var candidate in Enum.GetValues<EvaluationTask>())
        {
            if (ToName(candidate) == name)
            {
                task = candidate;
                return true;
            }
        }

        task = EvaluationTask.Auto;
        return false;
    }
}
