namespace ModelPrune.Engine.Statistics;

/// <summary>
/// How a Conv sees its input: as patches of <paramref name="InputChannelsPerGroup"/> × kernel elements, one
/// patch per output position and group. A Conv is a MatMul of each group's weight rows [Cout/g, Cin/g·k…] with
/// those patches, so the statistics of the patches are what Wanda and SparseGPT need.
/// </summary>
/// <param name="Groups">The Conv's group attribute; each group has its own input patches and statistics.</param>
/// <param name="InputChannelsPerGroup">Cin/g, the weight's axis 1.</param>
/// <param name="KernelShape">The weight's spatial axes.</param>
/// <param name="Attributes">The Conv's strides, pads, dilations and auto_pad, copied so the patches are exactly the Conv's.</param>
internal sealed record ConvUnfold(
    int Groups,
    int InputChannelsPerGroup,
    IReadOnlyList<long> KernelShape,
    IReadOnlyList<global::Onnx.AttributeProto> Attributes)
{
    /// <summary>Elements per patch: the weight's input width Cin/g · Πk.</summary>
    public int PatchSize => checked((int)(InputChannelsPerGroup * KernelShape.Aggregate(1L, (a, b) => a * b)));

    /// <summary>Text that differs whenever two Convs on the same activation would produce different patches.</summary>
    public string Signature => string.Join(";",
        new[] { $"g={Groups}", $"c={InputChannelsPerGroup}", "k=" + string.Join("x", KernelShape) }
            .Concat(Attributes.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => $"{a.Name}={a}")));
}
