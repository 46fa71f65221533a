using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// The data file a pruned model will be written with, laid out as <see cref="ExternalDataWriter"/> will lay it out,
/// known before pruning when nothing changes the tensors' sizes (unstructured and N:M pruning without quantization).
/// The spill writes each pruned tensor straight to its place in it (<see cref="TensorSpill"/>), and the writer then adds
/// the tensors pruning left and reads back for the hash what is already in place: a pruned tensor is written once, not
/// to a spill file and then again into the output (4.4 GB each on the benchmark model).
/// </summary>
/// <param name="Path">The staged data file, which the spill creates.</param>
/// <param name="Offsets">Where each tensor the data file will hold begins, by reference (a message's own equality compares content).</param>
internal sealed record PlannedDataFile(string Path, IReadOnlyDictionary<TensorProto, long> Offsets);
