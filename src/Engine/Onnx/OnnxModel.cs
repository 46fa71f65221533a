using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// A parsed model with every external tensor already inlined, plus the facts about its files that
/// the cache key and the report need.
/// </summary>
internal sealed class OnnxModel
{
    public OnnxModel(ModelProto proto, string sourcePath, string contentSha256, long fileBytes, bool hasExternalData = false)
    {
        Proto = proto;
        SourcePath = sourcePath;
        ContentSha256 = contentSha256;
        FileBytes = fileBytes;
        HasExternalData = hasExternalData;
    }

    /// <summary>Whether some tensors were read from external data files (now inlined in <see cref="Proto"/>).</summary>
    public bool HasExternalData { get; }

    public ModelProto Proto { get; }

    /// <summary>Full path of the .onnx file the model was read from.</summary>
    public string SourcePath { get; }

    /// <summary>
    /// Lower-case hex SHA-256 over the .onnx bytes followed by each external data file in order of
    /// first reference, so a change to either invalidates a cached result.
    /// </summary>
    public string ContentSha256 { get; }

    /// <summary>Size of the .onnx file alone, without external data.</summary>
    public long FileBytes { get; }
}
