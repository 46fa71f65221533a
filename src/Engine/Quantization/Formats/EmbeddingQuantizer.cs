namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// Round-to-nearest int8 per row for embedding tables, which the weight quantizers (GPTQ/RTN over [out, in]
/// matrices with calibration data) do not cover: a row is looked up, never multiplied, so there is nothing to
/// calibrate against. Symmetric: scale = max|row| / 127, q = round(w / scale) with ties to even (the reference
/// RTN's convention), stored with the symmetric zero 128 so that q − 128 is the int8 value.
/// </summary>
internal static class EmbeddingQuantizer
{
    private const int Bits = 8;
    private const byte Zero = 128;
    private const float Levels = 127f;

    /// <param name="table">Row-major [rows, cols].</param>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> table, int rows, int cols)
    {
        if (table.Length != (long)rows * cols)
        {
            throw new ArgumentException($"expected {rows} × {cols} values, got {table.Length}", nameof(table));
        }

        var codes = new byte[table.Length];
        var scales = new float[rows];
        var zeros = new byte[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = table.Slice(r * cols, cols);
            var absMax = 0f;
            foreach (var w in row)
            {
                absMax = Math.Max(absMax, Math.Abs(w));
            }

            // An all-zero row gets scale 1 so that every code is the zero and dequantizes to exactly 0.
            var scale = absMax > 0 ? absMax / Levels : 1f;
            scales[r] = scale;
            zeros[r] = Zero;
            for (var c = 0; c < cols; c++)
            {
                var q = Math.Clamp(MathF.Round(row[c] / scale, MidpointRounding.ToEven), -Levels, Levels);
                codes[(r * cols) + c] = (byte)(q + Zero);
            }
        }

        return new QuantizedMatrix(rows, cols, Bits, cols, codes, scales, zeros);
    }
}
