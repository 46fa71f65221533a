using ModelPrune.Engine.Quantization;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>The reference quant.py conventions on hand-made rows whose grid is exact in float32.</summary>
public sealed class QuantizationGridTests
{
    [Fact]
    public void Symmetric_int8_rounds_exact_ties_half_to_even_as_torch_round_does()
    {
        // absmax 127.5 gives scale = 255 / 255 = 1 exactly, so w / scale = w and the ties are exact.
        var grid = new QuantizationGrid(8, Symmetric: true);
        var (scale, zero) = grid.FindParams([-127.5f, 2.5f, 3.5f, 127.5f]);

        Assert.Equal(1f, scale);
        Assert.Equal(128f, zero);
        Assert.Equal(0f, grid.Quantize(-127.5f, scale, zero));    // −128 + 128: the row's negative extreme
        Assert.Equal(130f, grid.Quantize(2.5f, scale, zero));     // 2.5 → 2, not 3
        Assert.Equal(132f, grid.Quantize(3.5f, scale, zero));     // 3.5 → 4
        Assert.Equal(255f, grid.Quantize(127.5f, scale, zero));   // 128 + 128 clamped to maxq
    }

    [Fact]
    public void A_row_without_negative_weights_keeps_xmin_at_zero_on_a_symmetric_grid()
    {
        // The reference sets xmin = −xmax only where xmin < 0, so this row's range is [0, xmax], not [−xmax, xmax].
        var (scale, zero) = new QuantizationGrid(8, Symmetric: true).FindParams([0.5f, 2.55f]);

        Assert.Equal(2.55f / 255, scale);
        Assert.Equal(128f, zero);
    }

    [Fact]
    public void An_all_zero_row_gets_the_unit_range_and_zero_stays_exactly_representable()
    {
        var grid = new QuantizationGrid(4, Symmetric: false);
        var (scale, zero) = grid.FindParams([0f, 0f, 0f]);

        // xmin = −1, xmax = 1: scale = 2 / 15 and zero = round(1 / scale), 7.5 up to float32 rounding.
        Assert.Equal(2f / 15, scale);
        Assert.Equal(MathF.Round(1f / (2f / 15)), zero);
        Assert.InRange(zero, 7f, 8f);
        Assert.Equal(zero, grid.Quantize(0f, scale, zero));
    }

    [Fact]
    public void Rtn_dequantizes_zero_to_exactly_zero_on_asymmetric_groups()
    {
        float[] W = [-0.3f, 0f, 0.7f, 0.1f, 0f, -2f, 0.25f, 5f];

        var quantized = RtnQuantizer.Quantize(W, 2, 4, new QuantizationGrid(4, Symmetric: false, GroupSize: 2));

        Assert.Equal(4, quantized.Groups * 2);
        Assert.Equal(0f, quantized.Dequantized(0, 1));
        Assert.Equal(0f, quantized.Dequantized(1, 0));
        Assert.All(quantized.Zeros, z => Assert.InRange(z, 0, 15));
    }
}
