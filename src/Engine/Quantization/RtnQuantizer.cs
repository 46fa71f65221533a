namespace ModelPrune.Engine.Quantization;

/// <summary>
/// Round-to-nearest: every weight to its nearest grid point, the (scale, zero) of each row or group taken from
/// the weights themselves (the reference's <c>--nearest</c> path: find_params, then quantize). No calibration.
/// </summary>
internal static class RtnQuantizer
{
    /// <summary>W [rows, cols] (rows = output channels), row-major; W is not modified.</summary>
    public static QuantizedMatrix Quantize(float[] W, int rows, int cols, QuantizationGrid grid)
    {
        if (rows <= 0 || cols <= 0 || W.Length != rows * cols) throw new ArgumentException($"W has {W.Length} elements, not {rows} × {cols}", nameof(W));

        var Q = new QuantizedMatrixBuilder(grid, rows, cols);
        Q.FindParams(W);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++) Q.Quantize(r, c, W[(r * cols) + c]);
        }

        return Q.Build();
    }
}
