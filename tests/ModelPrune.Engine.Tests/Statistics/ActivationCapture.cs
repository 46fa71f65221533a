using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>
/// The ground truth the collector is checked against: the activations themselves, fetched by making
/// them graph outputs of a copy of the model, and reduced in plain C# loops.
/// </summary>
internal static class ActivationCapture
{
    public static Dictionary<string, ReferenceStatistics> Compute(global::Onnx.ModelProto model, IReadOnlyDictionary<string, int> featuresByActivation, CalibrationBatches batches)
    {
        var copy = model.Clone();
        var graphInputs = copy.Graph.Input.Select(i => i.Name).ToHashSet();
        var fetched = featuresByActivation.Keys.Where(name => !graphInputs.Contains(name)).ToArray();
        copy.Graph.Output.Clear();
        foreach (var name in fetched)
        {
            copy.Graph.Output.Add(new global::Onnx.ValueInfoProto { Name = name });
        }

        var result = featuresByActivation.ToDictionary(p => p.Key, p => new ReferenceStatistics(p.Value));
        foreach (var name in featuresByActivation.Keys.Where(graphInputs.Contains))
        {
            foreach (var data in batches.Data)
            {
                result[name].Add(data);
            }
        }

        if (fetched.Length == 0)
        {
            return result;
        }

        // The collector runs unoptimised; fused kernels would round float16 activations differently.
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(copy.ToByteArray(), options);
        using var runOptions = new RunOptions();
        foreach (var batch in batches.Batches)
        {
            using var outputs = session.Run(runOptions, batch.Keys.ToArray(), batch.Values.ToArray(), fetched);
            for (var i = 0; i < fetched.Length; i++)
            {
                result[fetched[i]].Add(AsFloats(outputs[i]));
            }
        }

        return result;
    }

    private static float[] AsFloats(OrtValue value) => value.GetTensorTypeAndShape().ElementDataType switch
    {
        TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
        TensorElementType.Float16 => value.GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h).ToArray(),
        var other => throw new InvalidOperationException($"activation of type {other}"),
    };
}
