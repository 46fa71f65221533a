namespace ModelPrune.Engine.Search;

/// <summary>
/// One probe of the search trace. <paramref name="Phase"/>: <c>global</c> (one sparsity for every layer),
/// <c>sensitivity</c> (only <paramref name="Layers"/>' one layer pruned) or <c>refine</c> (<paramref name="Layers"/>
/// kept dense, their share moved to the others). Quantize="auto" names its probes <c>uniform</c> (every layer at one
/// precision), <c>sensitivity</c> and <c>refine</c>, with <paramref name="Layers"/> as <c>name=int8</c>.
/// <paramref name="BitsPerWeight"/>: over the weights stored as integers, when the probe was quantized.
/// </summary>
internal sealed record SearchProbe(
    int Index,
    string Phase,
    double Sparsity,
    IReadOnlyList<string> Layers,
    double AchievedSparsity,
    long NonzeroParameters,
    double Metric,
    bool KeepsTarget,
    long Bytes,
    long GzipBytes,
    double? BitsPerWeight = null);
