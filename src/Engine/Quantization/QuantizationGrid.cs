namespace ModelPrune.Engine.Quantization;

/// <summary>
/// A uniform integer grid for weights, with the conventions of the reference <c>quant.Quantizer</c> of
/// IST-DASLab/gptq (configure(bits, perchannel=True, sym, mse=False)): codes 0 .. maxq = 2^bits − 1, one
/// (scale, zero) per row (<see cref="PerChannel"/>) or per row and group of <see cref="GroupSize"/> columns,
/// and ŵ = scale · (q − zero). Everything is float32 as in the reference, so round-to-nearest is bit-exact.
/// </summary>
/// <param name="Bits">4 or 8: codes are stored as bytes and ONNX Runtime's MatMulNBits / DequantizeLinear take these.</param>
/// <param name="Symmetric">Symmetric range around 0 with zero = 2^(bits−1), or asymmetric [xmin, xmax] with a fitted zero.</param>
/// <param name="GroupSize">Columns per (scale, zero); <see cref="PerChannel"/> = the whole row.</param>
internal sealed record QuantizationGrid(int Bits, bool Symmetric, int GroupSize = QuantizationGrid.PerChannel)
{
    /// <summary>One (scale, zero) per output row: the group is the whole row.</summary>
    public const int PerChannel = 0;

    public int Bits { get; } = Bits is 4 or 8 ? Bits : throw new ArgumentOutOfRangeException(nameof(Bits), Bits, "bits must be 4 or 8");

    public int GroupSize { get; } = GroupSize >= 0 ? GroupSize : throw new ArgumentOutOfRangeException(nameof(GroupSize), GroupSize, "group size must be positive, or 0 for per channel");

    public int MaxQ => (1 << Bits) - 1;

    /// <summary>The number of columns one (scale, zero) covers in a matrix <paramref name="cols"/> wide.</summary>
    public int GroupWidth(int cols) => GroupSize == PerChannel ? cols : GroupSize;

    /// <summary>
    /// The reference's find_params for one row (or one row's group) w: xmin = min(0, min w), xmax = max(0, max w),
    /// so 0.0 is always on the grid. Symmetric: xmax = max(|xmin|, xmax) and, only where xmin &lt; 0, xmin = −xmax
    /// (a row with no negative weight keeps xmin = 0: the reference's behaviour, kept for bit-exactness);
    /// zero = (maxq + 1) / 2. ASymmetric: zero = round(−xmin / scale), an integer in [0, maxq].
    /// </summary>
    public (float Scale, float Zero) FindParams(ReadOnlySpan<float> w)
    {
        float xmin = 0f, xmax = 0f;
        foreach (var x in w)
        {
            xmin = Math.Min(xmin, x);
            xmax = Math.Max(xmax, x);
        }

        if (Symmetric)
        {
            xmax = Math.Max(Math.Abs(xmin), xmax);
            if (xmin < 0f) xmin = -xmax;
        }

        // An all-zero row still needs a positive scale; its codes all equal zero either way.
        if (xmin == 0f && xmax == 0f)
        {
            xmin = -1f;
            xmax = 1f;
        }

        var scale = (xmax - xmin) / MaxQ;
        var zero = Symmetric ? (MaxQ + 1) / 2f : MathF.Round(-xmin / scale);
        return (scale, zero);
    }

    /// <summary>
    /// q = clamp(round(w / scale) + zero, 0, maxq) in float32: a true division (not w · (1/scale)) and round half
    /// to even (MathF.Round's default, as torch.round), both needed to reproduce the reference's ties.
    /// </summary>
    public float Quantize(float w, float scale, float zero) => Math.Clamp(MathF.Round(w / scale) + zero, 0f, MaxQ);
}
