using ModelPrune.Engine.Pruning;
using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// Units (neurons, heads or filters) that can only be removed together, and everything their removal touches: the
/// tensors they run through, the constants that lose slices, the Reshape shapes and depthwise group counts that spell
/// their number, and the layers that read them. In the spirit of DepGraph: channels joined by a residual Add, a gate or
/// a depthwise Conv end up in one group. <see cref="Failure"/> is set when the analysis could not prove a removal safe.
/// </summary>
internal sealed class UnitGroup
{
    public UnitGroup(int index) => Index = index;

    public int Index { get; }

    /// <summary>Tensor name → where the units lie in it.</summary>
    public Dictionary<string, UnitAxis> Tensors { get; } = new(StringComparer.Ordinal);

    public HashSet<NodeProto> Nodes { get; } = new(ReferenceEqualityComparer.Instance);

    public List<NodeProto> Producers { get; } = new();

    public List<ParameterSlice> Slices { get; } = new();

    public List<UnitConsumer> Consumers { get; } = new();

    public List<ShapeEdit> ShapeEdits { get; } = new();

    /// <summary>Splits of a fused projection whose <c>split</c> attribute (before opset 13) spells the parts' sizes.</summary>
    public List<NodeProto> SplitAttributeEdits { get; } = new();

    /// <summary>Depthwise Convs whose <c>group</c> attribute equals the channel count.</summary>
    public List<NodeProto> GroupCountEdits { get; } = new();

    /// <summary>
    /// How many units there are: the largest count that divides every axis the units lie along, so each unit owns an
    /// equal run of each (a Reshape into [heads, head width] leaves one unit per head; repeated K/V heads of grouped-query
    /// attention leave one per K/V head with its query heads). Set when the group is complete.
    /// </summary>
    public long Units { get; set; }

    /// <summary>A Reshape split the units' axis into heads (or merged heads back into channels).</summary>
    public bool HasHeads { get; set; }

    public string? Failure { get; private set; }

    public bool Failed => Failure is not null;

    public UnitStructure Kind =>
        HasHeads ? UnitStructure.Heads
        : Producers.Any(p => p.OpType is "Conv" or "ConvTranspose") ? UnitStructure.Filters
        : UnitStructure.Neurons;

    public void Fail(string reason) => Failure ??= reason;
}
