using System.Globalization;
using ModelPrune.Engine.Quantization;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>
/// "Prune first, then GPTQ with the mask held fixed" (issue 11) on the reference Wanda and magnitude masks:
/// every pruned weight must come back as exactly +0.0, and the error must beat plain RTN of the pruned layer.
/// </summary>
public sealed class MaskedGptqTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("L0_attn_query", "wanda.unstructured50.pruned_mask.packbits.npy", 4, 128)]
    [InlineData("L0_ffn_inter", "magnitude.2of4.pruned_mask.packbits.npy", 8, QuantizationGrid.PerChannel)]
    public void Masked_gptq_keeps_every_pruned_weight_exactly_zero_and_beats_rtn_after_pruning(string name, string maskFile, int bits, int groupSize)
    {
        var layer = QuantReference.Layer(name);
        var mask = layer.PrunedMask(maskFile);
        var pruned = (float[])layer.W.Clone();
        for (var i = 0; i < pruned.Length; i++)
        {
            if (mask[i]) pruned[i] = 0f;
        }

        var grid = new QuantizationGrid(bits, Symmetric: bits == 8, groupSize);

        var result = GptqQuantizer.Quantize(pruned, layer.Out, layer.In, QuantReference.Hessian(name), grid, mask);

        var Wq = result.Quantized.Dequantize();
        for (var i = 0; i < Wq.Length; i++)
        {
            // Bit pattern 0: +0.0, not −0.0 or a tiny value, so the weight is exactly as pruned.
            if (mask[i]) Assert.Equal(0, BitConverter.SingleToInt32Bits(Wq[i]));
        }

        var gptqError = layer.RelativeError(Wq);
        var rtnError = layer.RelativeError(RtnQuantizer.Quantize(pruned, layer.Out, layer.In, grid).Dequantize());
        var pruningError = layer.RelativeError(pruned);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} {maskFile} int{bits} group {groupSize}: masked GPTQ {gptqError:G6}, RTN after pruning {rtnError:G6}, pruning alone {pruningError:G6}"));
        Assert.True(gptqError < rtnError, $"masked GPTQ {gptqError:G6} is not below RTN after pruning {rtnError:G6}");
    }
}
