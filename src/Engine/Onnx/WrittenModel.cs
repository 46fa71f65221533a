namespace ModelPrune.Engine.Onnx;

/// <summary>
/// A model as written, known without reading it back: the SHA-256 (lower-case hex) of the .onnx file followed by its
/// data file (as <see cref="OnnxModel.ContentSha256"/> hashes a model read back), the bytes of both files, and how many
/// of them are in the data file (0 when there is none).
/// </summary>
internal sealed record WrittenModel(string Sha256, long Bytes, long DataBytes = 0);
