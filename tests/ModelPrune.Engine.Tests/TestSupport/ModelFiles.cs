using Google.Protobuf;
using Onnx;

namespace ModelPrune.Engine.Tests.TestSupport;

public static class ModelFiles
{
    public static string Write(TempFolder folder, string name, ModelProto model)
    {
        var path = folder.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    public static ModelProto Read(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    /// <summary>All initializers of the main graph by name, as raw bytes of their whole TensorProto.</summary>
    public static IReadOnlyDictionary<string, ByteString> InitializerBytes(ModelProto model) =>
        model.Graph.Initializer.ToDictionary(t => t.Name, t => t.ToByteString());
}
