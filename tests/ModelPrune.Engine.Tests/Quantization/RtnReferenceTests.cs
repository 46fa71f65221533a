using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Tests.Reference;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>
/// Round-to-nearest against the reference (quant README section 6): float32, a true division and round half to
/// even make it bit-exact, including rtn.int8pc's 125–642 exact ties per layer at w / scale = −127.5.
/// </summary>
public sealed class RtnReferenceTests
{
    public static TheoryData<string, string> Cases() => QuantReference.LayerCases("rtn.int8pc", "rtn.int4pc", "rtn.int4g128");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rtn_is_bit_exact_to_the_reference_including_the_int8_ties(string name, string quantCase)
    {
        var layer = QuantReference.Layer(name);

        var quantized = RtnQuantizer.Quantize(layer.W, layer.Out, layer.In, QuantReference.Grid(quantCase));

        var Wq = quantized.Dequantize();
        Assert.Equal(QuantReference.Metric(name, quantCase, "Wq_sha256"), ReferenceData.Sha256(Wq));
        Assert.Equal(QuantReference.RelativeError(name, quantCase), layer.RelativeError(Wq), 1e-12);
    }
}
