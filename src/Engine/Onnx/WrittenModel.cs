namespace ModelPrune.Engine.Onnx;

/// <summary>A model file as written: its SHA-256 (lower-case hex) and size, known without reading it back.</summary>
internal sealed record WrittenModel(string Sha256, long Bytes);
