using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// What the evaluation must know of one of the original model's outputs over all batches before it compares the
/// first batch: its shape (batches joined along the first axis), how many values are NaN or infinite, and whether
/// every row of a [batch, positions, n] floating-point output is a probability distribution (which decides its task).
/// </summary>
internal sealed record OriginalOutputSummary(string Name, TensorElementType Type, long[] Shape, long NonFiniteValues, bool RowsAreProbabilities)
{
    public long Elements => Shape.Aggregate(1L, (product, d) => product * d);

    /// <summary>The summary of an output given whole, in one batch.</summary>
    public static OriginalOutputSummary Of(CapturedOutput output)
    {
        var builder = new OriginalOutputSummaryBuilder(output.Name, output.Type);
        builder.Add(output);
        return builder.Build();
    }
}
