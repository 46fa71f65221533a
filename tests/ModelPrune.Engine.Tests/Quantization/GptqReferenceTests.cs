using System.Diagnostics;
using System.Globalization;
using ModelPrune.Engine.Quantization;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>
/// GPTQ against the reference IST-DASLab/gptq results (quant README section 6). H is the engine's float32
/// 2XᵀX, the same formula in another summation order, and the Cholesky path is the engine's float32 one, so a
/// few near-tie roundings flip and change the rest of their row; the README's tolerances allow for that.
/// </summary>
public sealed class GptqReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> PerChannelCases() => QuantReference.LayerCases("gptq.int8pc", "gptq.int4pc");

    public static TheoryData<string> Layers() => new(Reference.ReferenceData.Layers);

    [Theory]
    [MemberData(nameof(Layers))]
    public void Gptq_int4_group_128_codes_match_the_reference_except_after_near_ties(string name)
    {
        var layer = QuantReference.Layer(name);
        var H = QuantReference.ReferenceHessian(name);

        var clock = Stopwatch.StartNew();
        var result = GptqQuantizer.Quantize(layer.W, layer.Out, layer.In, H, QuantReference.Grid("gptq.int4g128"));
        var elapsed = clock.Elapsed.TotalMilliseconds;

        var quantized = result.Quantized;
        var codes = QuantReference.Bytes(name, "gptq.int4g128.codes.npy");
        var nearTies = QuantReference.NearTies(name);
        long equalCodes = 0;
        var equalRows = 0;
        var firstMismatches = new List<(int Row, int Col)>();
        for (var r = 0; r < layer.Out; r++)
        {
            var first = -1;
            for (var c = 0; c < layer.In; c++)
            {
                if (quantized.Codes[(r * layer.In) + c] == codes[(r * layer.In) + c]) equalCodes++;
                else if (first < 0) first = c;
            }

            if (first < 0) equalRows++;
            else firstMismatches.Add((r, first));
        }

        var agreement = (double)equalCodes / codes.Length;
        var relativeError = layer.RelativeError(quantized.Dequantize());
        var reference = QuantReference.RelativeError(name, "gptq.int4g128");
        var referenceLoss = QuantReference.NumericMetric(name, "gptq.int4g128", "internal_loss");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} gptq.int4g128: codes {agreement:P4}, identical rows {equalRows}/{layer.Out} ({(double)equalRows / layer.Out:P2}), rel_err {relativeError:G6} (reference {reference:G6}, ratio {relativeError / reference:F6}), loss {result.Loss:G6} (reference {referenceLoss:G6}), first mismatches {string.Join(" ", firstMismatches)}, quantize {elapsed:F0} ms (reference t_quant_ms {QuantReference.NumericMetric(name, "gptq.int4g128", "t_quant_ms"):F0})"));

        Assert.Equal(0, result.DampeningSteps);
        Assert.True(agreement >= 0.998, $"codes agree on {agreement:P4}");
        Assert.True(equalRows >= 0.96 * layer.Out, $"{equalRows} of {layer.Out} rows are identical");
        Assert.InRange(relativeError / reference, 0.999, 1.001);
        Assert.InRange(result.Loss / referenceLoss, 0.99, 1.01);

        // A row can only start to differ at a near-tie; a first mismatch anywhere else is a real bug (README §6).
        Assert.All(firstMismatches, mismatch => Assert.Contains(mismatch, nearTies));

        // Group 0's parameters come from the original W, so they must be bit-exact. Later groups' come from
        // updated weights, equal up to float32 rounding in rows without an earlier flip (README §3).
        var scales = QuantReference.Floats(name, "gptq.int4g128.scales.npy");
        var zeros = QuantReference.Floats(name, "gptq.int4g128.zeros.npy");
        var groups = quantized.Groups;
        var flippedGroup = firstMismatches.ToDictionary(m => m.Row, m => m.Col / 128);
        for (var r = 0; r < layer.Out; r++)
        {
            Assert.Equal(scales[r * groups], quantized.Scales[r * groups]);
            Assert.Equal(zeros[r * groups], quantized.Zeros[r * groups]);
            var lastEqual = flippedGroup.TryGetValue(r, out var group) ? group : groups - 1;
            for (var g = 1; g <= lastEqual; g++)
            {
                Assert.Equal(scales[(r * groups) + g], quantized.Scales[(r * groups) + g], 1e-4 * scales[(r * groups) + g]);
                Assert.Equal(zeros[(r * groups) + g], quantized.Zeros[(r * groups) + g]);
            }
        }

        Assert.True(relativeError < QuantReference.RelativeError(name, "rtn.int4g128"), "GPTQ must beat RTN at int4 group 128");
    }

    [Theory]
    [MemberData(nameof(PerChannelCases))]
    public void Gptq_per_channel_error_matches_the_reference_and_beats_rtn(string name, string quantCase)
    {
        var layer = QuantReference.Layer(name);

        var result = GptqQuantizer.Quantize(layer.W, layer.Out, layer.In, QuantReference.ReferenceHessian(name), QuantReference.Grid(quantCase));

        var relativeError = layer.RelativeError(result.Quantized.Dequantize());
        var reference = QuantReference.RelativeError(name, quantCase);
        var referenceLoss = QuantReference.NumericMetric(name, quantCase, "internal_loss");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} {quantCase}: rel_err {relativeError:G6} (reference {reference:G6}, ratio {relativeError / reference:F6}), loss {result.Loss:G6} (reference {referenceLoss:G6})"));

        Assert.InRange(relativeError / reference, 0.999, 1.001);
        Assert.InRange(result.Loss / referenceLoss, 0.99, 1.01);

        // RtnReferenceTests shows the engine's RTN equals the reference's bit for bit, so its rel_err is this one.
        var rtnCase = "rtn." + quantCase.Split('.')[1];
        Assert.True(relativeError < QuantReference.RelativeError(name, rtnCase), $"GPTQ must beat RTN at {rtnCase}");
    }
}
