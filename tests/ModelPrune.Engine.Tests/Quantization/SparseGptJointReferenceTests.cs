using System.Globalization;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Quantization;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>
/// Joint SparseGPT + 4-bit (one OBS pass that prunes and quantizes) against the reference sparsegpt50.int4pc and
/// sparsegpt2of4.int4pc. Mask selection is as sensitive as pruning-only SparseGPT's (reference README §6), so the
/// tolerances are those of issue 11: error within +1 % and ≥ 99.5 % agreement of the exact zeros (Wq == 0, which
/// is the pruned entries plus kept weights whose code equals zero, the only mask the reference ships).
/// </summary>
public sealed class SparseGptJointReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases() => QuantReference.LayerCases("sparsegpt50.int4pc", "sparsegpt2of4.int4pc");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Joint_sparsegpt_and_int4_matches_the_reference_error_and_zeros(string name, string quantCase)
    {
        var layer = QuantReference.Layer(name);
        var W = (float[])layer.W.Clone();
        var (n, m) = quantCase.StartsWith("sparsegpt2of4", StringComparison.Ordinal) ? (2, 4) : (0, 0);

        var (result, quantized) = SparseGptPruner.PruneAndQuantize(
            W, layer.Out, layer.In, QuantReference.ReferenceHessian(name), 0.5, new QuantizationGrid(4, Symmetric: false), n, m);

        // W is left as the dequantized weight, and the codes say the same.
        Assert.Equal(quantized.Dequantize(), W);

        var relativeError = layer.RelativeError(W);
        var reference = QuantReference.RelativeError(name, quantCase);
        var zeroFraction = (double)W.Count(w => w == 0f) / W.Length;
        var referenceZeroFraction = QuantReference.NumericMetric(name, quantCase, "zero_frac");
        var referenceLoss = QuantReference.NumericMetric(name, quantCase, "internal_loss");
        var zeroAgreement = ZeroAgreement(name, quantCase, W);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} {quantCase}: rel_err {relativeError:G6} (reference {reference:G6}, ratio {relativeError / reference:F5}), zeros {zeroFraction:P3} (reference {referenceZeroFraction:P3}), zero agreement {(zeroAgreement is { } a ? a.ToString("P4", CultureInfo.InvariantCulture) : "n/a (Wq not shipped)")}, loss {result.Loss:G6} (reference {referenceLoss:G6})"));

        Assert.Equal(0, result.DampeningSteps);
        Assert.True(relativeError <= 1.01 * reference, $"rel_err {relativeError:G6} is more than 1 % above the reference {reference:G6}");
        Assert.InRange(zeroFraction, referenceZeroFraction - 0.005, referenceZeroFraction + 0.005);
        if (zeroAgreement is { } agreement) Assert.True(agreement >= 0.995, $"exact zeros agree on {agreement:P4}");
        if (n != 0)
        {
            for (var g = 0; g < W.Length; g += m) Assert.True(W.AsSpan(g, m).ToArray().Count(w => w == 0f) >= n, $"group at {g} has fewer than {n} zeros");
        }
    }

    // Agreement of Wq == 0 with the reference's, on the layers whose reference Wq is shipped (the FFN outputs).
    private static double? ZeroAgreement(string name, string quantCase, float[] W)
    {
        if (!File.Exists(Reference.ReferenceData.File($"quant/{name}/{quantCase}.Wq.npy"))) return null;
        var reference = QuantReference.Floats(name, $"{quantCase}.Wq.npy");
        return (double)Enumerable.Range(0, W.Length).Count(i => (W[i] == 0f) == (reference[i] == 0f)) / W.Length;
    }
}
