using System.Globalization;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Quantization;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>
/// Joint SparseGPT + int4 on the grid MatMulNBits stores (blocks of 32 columns), which the reference code does not
/// offer (it quantizes joint runs per row only): one pass must keep the sparsity, leave every pruned weight exactly
/// +0.0, and lose less than pruning first and quantizing the kept weights afterwards (by rounding, or by GPTQ with the mask held).
/// </summary>
public sealed class SparseGptGroupedJointTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("L0_attn_query", 0, 0)]
    [InlineData("L0_ffn_output", 0, 0)]
    [InlineData("L5_ffn_output", 2, 4)]
    public void Grouped_joint_pass_keeps_the_sparsity_and_beats_pruning_then_quantizing(string name, int n, int m)
    {
        var layer = QuantReference.Layer(name);
        var H = QuantReference.Hessian(name);
        var grid = new QuantizationGrid(4, Symmetric: false, GroupSize: 32);

        var joint = (float[])layer.W.Clone();
        var (_, quantized) = SparseGptPruner.PruneAndQuantize(joint, layer.Out, layer.In, H, 0.5, grid, n, m);

        var pruned = (float[])layer.W.Clone();
        SparseGptPruner.Prune(pruned, layer.Out, layer.In, H, 0.5, n, m);
        var thenRounded = RtnQuantizer.Quantize(pruned, layer.Out, layer.In, grid).Dequantize();
        var mask = pruned.Select(w => w == 0f).ToArray();
        var thenGptq = GptqQuantizer.Quantize(pruned, layer.Out, layer.In, H, grid, mask).Quantized.Dequantize();

        Assert.Equal(quantized.Dequantize(), joint);
        Assert.Equal(32, quantized.GroupSize);
        var zeros = (double)joint.Count(w => w == 0f) / joint.Length;
        Assert.True(zeros >= 0.5, $"only {zeros:P2} of the weights are zero");
        Assert.All(joint.Where(w => w == 0f), w => Assert.Equal(0, BitConverter.SingleToInt32Bits(w)));

        var jointError = layer.RelativeError(joint);
        var roundedError = layer.RelativeError(thenRounded);
        var gptqError = layer.RelativeError(thenGptq);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} {(n == 0 ? "50%" : $"{n}:{m}")} int4 g32: joint {jointError:G6}, prune then GPTQ with the mask {gptqError:G6}, prune then RTN {roundedError:G6}, zeros {zeros:P2}"));
        Assert.True(jointError < roundedError, $"joint {jointError:G6} is not below prune-then-RTN {roundedError:G6}");
        Assert.True(jointError < gptqError, $"joint {jointError:G6} is not below prune-then-GPTQ {gptqError:G6}");
    }
}
