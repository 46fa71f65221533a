using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// An ONNX Runtime session on a model the engine built in memory (the model with statistics or probe outputs added).
/// One protobuf message cannot pass 2 GiB, so a larger model (a language model of a billion parameters) goes to ONNX
/// Runtime as a file pair with external data in the temporary folder, removed as soon as the session holds what it needs.
/// So does a model past <see cref="PairAboveBytes"/>: ONNX Runtime maps a pair's data file, where from one protobuf it
/// holds the bytes and its parsed copy of them at once (MiniLM's wanda run: 488 MB peak in one message, 425–439 MB as pairs).
/// </summary>
internal static class InstrumentedModelSession
{
    /// <summary>Models larger than this go to ONNX Runtime as a file pair even below the protobuf limit.</summary>
    public const long PairAboveBytes = 16 << 20;

    /// <param name="options">The caller's options, with its device configured; the caller disposes them.</param>
    /// <param name="displayFile">The model file named in errors.</param>
    /// <param name="protobufLimitBytes">Past this the model goes as a file pair; tests lower it instead of building a 2 GiB model.</param>
    public static InferenceSession Open(global::Onnx.ModelProto model, SessionOptions options, string displayFile,
        long protobufLimitBytes = OnnxModelWriter.ProtobufLimitBytes)
    {
        if (!OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Auto, displayFile, Math.Min(protobufLimitBytes, PairAboveBytes)))
        {
            return new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model), options);
        }

        using var folder = ScratchFolder.Create(Path.GetTempPath(), "modelprune-session");
        var path = Path.Combine(folder.Path, "model.onnx");
        OnnxModelWriter.WriteWithExternalData(model, path, ExternalDataLayout.DataPathFor(path), protobufLimitBytes);

        // The session has read (or mapped) the files by the time the folder goes.
        return new InferenceSession(path, options);
    }
}
