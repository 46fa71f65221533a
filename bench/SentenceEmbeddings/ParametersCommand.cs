using ModelPrune.Engine.Onnx;

namespace SentenceEmbeddings;

/// <summary>
/// A model's parameter count as the engine's report counts it (every float element of initializers and
/// Constant nodes), for a dense model the engine never reported on.
/// </summary>
internal static class ParametersCommand
{
    public static int Run(string modelPath)
    {
        var (parameters, _) = ModelParameterCounter.CountFloatParameters(OnnxModelReader.Read(modelPath).Proto);
        Console.WriteLine(parameters);
        return 0;
    }
}
