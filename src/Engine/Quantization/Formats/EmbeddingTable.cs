using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>A float constant [vocab, dim] that Gather nodes look rows up in (along axis 0).</summary>
/// <param name="Name">The initializer name, or the output name of the Constant node holding the table.</param>
/// <param name="NodeNames">The Gather nodes reading it, named as <see cref="PrunableWeightFinder"/> names nodes.</param>
internal sealed record EmbeddingTable(string Name, IReadOnlyList<string> NodeNames, WeightTensor Tensor);
