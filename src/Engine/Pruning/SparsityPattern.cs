using System.Globalization;

namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Unstructured, or N:M: in every group of M consecutive weights along a weight's input dimension,
/// the N smallest are set to zero (so 2:4 leaves two of every four, the pattern sparse tensor cores run).
/// </summary>
internal sealed record SparsityPattern(int N, int M)
{
    public static SparsityPattern Unstructured { get; } = new(0, 0);

    public bool IsNM => M > 0;

    /// <summary>The sparsity an N:M pattern implies: N/M.</summary>
    public double ImpliedSparsity => IsNM ? (double)N / M : 0;

    public override string ToString() => IsNM ? string.Create(CultureInfo.InvariantCulture, $"{N}:{M}") : "unstructured";
}
