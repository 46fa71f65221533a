namespace ModelPrune.Engine.Evaluation;

/// <summary>What an output means, which decides the metrics it is judged by; Auto guesses from its shape.</summary>
internal enum EvaluationTask
{
    Auto,
    Classification,
    Embedding,
    Regression,
    LanguageModel,

    /// <summary>Per-position classification: [batch, positions, classes] (CTC recognisers, token classifiers, language models without labels).</summary>
    TokenClassification,
}
