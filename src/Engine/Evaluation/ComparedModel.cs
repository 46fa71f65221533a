using Onnx;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// A model the comparer runs: its file, and the parsed model when the engine holds it, which the evaluation session
/// then runs on (<see cref="Onnx.SharedTensorSession"/>) instead of ONNX Runtime reading the file again. The file is
/// what reports name and what latency is timed on.
/// </summary>
internal sealed record ComparedModel(string Path, ModelProto? Parsed = null);
