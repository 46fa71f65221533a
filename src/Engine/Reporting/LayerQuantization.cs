namespace ModelPrune.Engine.Reporting;

/// <summary>
/// How one weight is stored in the quantized model: Format (<c>MatMulNBits</c> or <c>DequantizeLinear</c>), Bits,
/// GroupSize (null: one scale per output channel), Symmetric, Method (<c>gptq</c>, <c>rtn</c>, or <c>sparsegpt</c> when
/// SparseGPT quantized the layer in its pruning pass), BitsPerWeight (codes, scales and zero points as stored, per
/// weight), and the output error
/// ||X(W − Ŵ)ᵀ||² / ||XWᵀ||² of the quantized weight against the float (pruned) one, on the fitted calibration
/// inputs and on the held-out ones (null without calibration data). A weight left float has Format <c>float</c>
/// and says why in Reason.
/// </summary>
internal sealed record LayerQuantization(
    string Format,
    int? Bits,
    int? GroupSize,
    bool? Symmetric,
    string? Method,
    double? BitsPerWeight = null,
    double? Error = null,
    double? HeldOutError = null,
    string? Reason = null);
