namespace ModelPrune.Engine.Onnx;

/// <summary>
/// A weight tensor a pruning method may sparsify, resolved to its storage.
/// <paramref name="InputAxis"/> is the axis along which the consuming op contracts the tensor with
/// its activation input (the "input dimension" that N:M patterns and Wanda's per-input statistics run along).
/// </summary>
/// <param name="Name">The initializer name, or the output name of the Constant node holding the tensor.</param>
/// <param name="OpType">The op of the first consumer; its layout defines <paramref name="InputAxis"/>.</param>
/// <param name="NodeNames">Every node that uses the tensor as its weight, in graph order.</param>
/// <param name="Location">"initializer" or "constant", prefixed with the subgraph path when not in the main graph.</param>
internal sealed record PrunableWeight(
    string Name,
    string OpType,
    IReadOnlyList<string> NodeNames,
    string Location,
    WeightTensor Tensor,
    int InputAxis);
