using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Pruning;

/// <summary>
/// How a weight tensor maps to the [rows = output channels, cols = inputs] matrix the quantizers see, by the
/// rule the calibrated methods use: a rank-2 weight contracted along axis 0 (MatMul [K, N], Gemm transB=0) is
/// stored transposed; everything else (Gemm transB=1, a MatMul's first operand, Conv [out, in/g, k...]) is
/// one row per output channel with the remaining axes flattened, channel-major.
/// </summary>
internal sealed record WeightMatrixLayout(int Rows, int Cols, bool Transposed)
{
    /// <summary>The tensor axis holding the output channels: DequantizeLinear's per-axis <c>axis</c>.</summary>
    public int OutputAxis => Transposed ? 1 : 0;

    public static WeightMatrixLayout Of(PrunableWeight weight)
    {
        var dims = weight.Tensor.Dims;
        var transposed = dims.Count == 2 && weight.InputAxis == 0;
        var rows = transposed ? dims[1] : dims[0];
        var cols = transposed ? dims[0] : dims.Skip(1).Aggregate(1L, (a, b) => a * b);
        return new WeightMatrixLayout(checked((int)rows), checked((int)cols), transposed);
    }

    /// <summary>The weight's values as the methods see them: row-major [Rows, Cols].</summary>
    public float[] ReadRows(PrunableWeight weight)
    {
        var stored = weight.Tensor.ReadValues();
        if (!Transposed) return stored;
        var rows = new float[stored.Length];
        for (var c = 0; c < Cols; c++)
        {
            for (var r = 0; r < Rows; r++) rows[(r * Cols) + c] = stored[(c * Rows) + r];
        }

        return rows;
    }

    /// <summary>
    /// Row-major [Rows, Cols] codes laid out like the tensor. <paramref name="convColumns"/> is given when the
    /// quantizer saw a Conv row position-major (as N:M and the unfolded statistics order it); the tensor keeps
    /// it channel-major.
    /// </summary>
    public byte[] ToTensorOrder(byte[] codes, ConvColumnOrder? convColumns)
    {
        if (convColumns is not null)
        {
            // Codes are at most 255, exact in float: the reorder is shared with the pruning path instead of copied.
            var restored = convColumns.RestoreRows(codes.Select(c => (float)c).ToArray(), Rows);
            codes = restored.Select(v => (byte)v).ToArray();
        }

        if (!Transposed)
        {
            return codes;
        }

        var tensor = new byte[codes.Length];
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Cols; c++)
            {
                tensor[(c * Rows) + r] = codes[(r * Cols) + c];
            }
        }

        return tensor;
    }
}
