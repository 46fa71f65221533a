using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// A parsed model with every external tensor already inlined, plus the facts about its files that
/// the cache key and the report need.
/// </summary>
internal sealed class OnnxModel
{
    public OnnxModel(ModelProto proto, string sourcePath, string contentSha256, long fileBytes, IReadOnlyList<string>? externalDataFiles = null)
    {
        Proto = proto;
        SourcePath = sourcePath;
        ContentSha256 = contentSha256;
        FileBytes = fileBytes;
        ExternalDataFiles = externalDataFiles ?? Array.Empty<string>();
    }

    /// <summary>Whether some tensors were read from external data files (now inlined in <see cref="Proto"/>).</summary>
    public bool HasExternalData => ExternalDataFiles.Count > 0;

    /// <summary>The external data files the tensors were read from (full paths): inputs of the run, never to be overwritten.</summary>
    public IReadOnlyList<string> ExternalDataFiles { get; }

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
