namespace ModelPrune.Engine.Quantization;

/// <summary>
/// A weight matrix W [Rows, Cols] (rows = output channels, cols = the input dimension, as SparseGPT and GPTQ see W)
/// held as integer codes: W ≈ scale · (q − zero), with one (scale, zero) per row and per group of
/// <see cref="GroupSize"/> consecutive columns (<see cref="GroupSize"/> = <see cref="Cols"/> for one per row).
/// Zero points are integers in [0, 2^bits − 1], so 0.0 is always exactly representable (code = zero): a pruned
/// weight stays exactly zero after dequantization.
/// </summary>
/// <param name="Codes">q per weight, row-major [Rows, Cols], each in [0, 2^Bits − 1].</param>
/// <param name="Scales">Row-major [Rows, Groups].</param>
/// <param name="Zeros">Row-major [Rows, Groups], each in [0, 2^Bits − 1]; 2^(Bits−1) everywhere for symmetric grids.</param>
internal sealed record QuantizedMatrix(int Rows, int Cols, int Bits, int GroupSize, byte[] Codes, float[] Scales, byte[] Zeros)
{
    public int Groups => (Cols + GroupSize - 1) / GroupSize;

    public int MaxCode => (1 << Bits) - 1;

    /// <summary>scale · (q − zero) in float32, the value ONNX Runtime's dequantization computes.</summary>
    public float Dequantized(int row, int col)
    {
        var group = (row * Groups) + (col / GroupSize);
        return Scales[group] * (Codes[(row * Cols) + col] - Zeros[group]);
    }

    /// <summary>W as the model will compute with it, row-major [Rows, Cols].</summary>
    public float[] Dequantize()
    {
        var W = new float[Rows * Cols];
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Cols; c++)
            {
                W[(r * Cols) + c] = Dequantized(r, c);
            }
        }

        return W;
    }
}
