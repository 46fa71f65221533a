using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Tests.Onnx;

/// <summary>Runs a model file in ONNX Runtime on deterministic inputs and returns its outputs as float arrays.</summary>
public static class OrtModelRunner
{
    public const int Batch = 3;

    /// <param name="shift">Added to every float input, to steer data-dependent branches (If on the input's sum).</param>
    public static IReadOnlyDictionary<string, float[]> Run(string modelPath, float shift = 0f)
    {
        using var session = new InferenceSession(modelPath);
        var random = new Random(1234);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, metadata) in session.InputMetadata)
            {
                var shape = metadata.Dimensions.Select(d => d < 0 ? (long)Batch : d).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                names.Add(name);
                if (metadata.ElementType == typeof(long))
                {
                    values.Add(OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (long)random.Next(50)).ToArray(), shape));
                }
                else
                {
                    values.Add(OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) + shift).ToArray(), shape));
                }
            }

            using var runOptions = new RunOptions();
            var outputNames = session.OutputNames.ToArray();
            using var outputs = session.Run(runOptions, names, values, outputNames);
            var result = new Dictionary<string, float[]>();
            for (var i = 0; i < outputNames.Length; i++)
            {
                result[outputNames[i]] = outputs[i].GetTensorDataAsSpan<float>().ToArray();
            }

            return result;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }
}
