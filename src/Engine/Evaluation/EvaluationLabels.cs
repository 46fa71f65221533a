namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The labels of the evaluation data: <c>labels</c> for every output, or <c>labels_&lt;output&gt;</c> for one
/// output (which wins over <c>labels</c>).
/// </summary>
internal sealed class EvaluationLabels
{
    public const string SharedName = "labels";
    public const string PerOutputPrefix = "labels_";

    private readonly IReadOnlyDictionary<string, LabelArray> _arrays;

    public EvaluationLabels(IReadOnlyDictionary<string, LabelArray> arrays)
    {
        _arrays = arrays;
    }

    public static EvaluationLabels None { get; } = new(new Dictionary<string, LabelArray>());

    public static bool IsLabelName(string arrayName) =>
        arrayName == SharedName || arrayName.StartsWith(PerOutputPrefix, StringComparison.Ordinal);

    /// <summary>Array names, sorted.</summary>
    public IReadOnlyList<string> Names => _arrays.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

    public LabelArray? ForOutput(string outputName) =>
        _arrays.TryGetValue(PerOutputPrefix + outputName, out var own) ? own
        : _arrays.TryGetValue(SharedName, out var shared) ? shared
        : null;

    public EvaluationLabels Take(int samples) =>
        new(_arrays.ToDictionary(a => a.Key, a => a.Value.Take(samples), StringComparer.Ordinal));
}
