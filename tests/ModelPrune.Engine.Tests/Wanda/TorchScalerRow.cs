namespace ModelPrune.Engine.Tests.Wanda;

/// <summary>
/// Wanda's <c>scaler_row</c> as the reference run produced it in float32: <c>torch.norm(X.t(), p=2, dim=1) ** 2</c>
/// on CPU is a sequential float32 sum of x² per column (the reduced axis is not contiguous, so torch 1.13
/// takes its scalar reduction loop), then a square root, then a square. Tests use it to show that the
/// pruner's score is the reference's bit for bit when it is fed the reference's own statistics.
/// </summary>
internal static class TorchScalerRow
{
    public static double[] Compute(float[] X, int tokens, int cols)
    {
        var scalerRow = new double[cols];
        for (var j = 0; j < cols; j++)
        {
            var sum = 0f;
            for (var t = 0; t < tokens; t++)
            {
                var x = X[(t * cols) + j];
                sum += x * x;
            }

            var norm = MathF.Sqrt(sum);
            scalerRow[j] = norm * norm;
        }

        return scalerRow;
    }
}
