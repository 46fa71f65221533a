using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace ModelPrune.Engine.Tests.Structured;

/// <summary>Runs a model in ONNX Runtime on seeded inputs (symbolic sizes: batch 2, others 5; attention masks with padding).</summary>
internal static class ModelRunner
{
    public static IReadOnlyDictionary<string, (float[] Values, long[] Shape)> Run(ModelProto model, int seed = 7, int batch = 2)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var inputs = Inputs(model, seed, batch);
        try
        {
            using var results = session.Run(new RunOptions(), inputs.Keys.ToArray(), inputs.Values.ToArray(), session.OutputNames.ToArray());
            return session.OutputNames.Select((name, i) => (name, results[i]))
                .ToDictionary(p => p.name, p => (p.Item2.GetTensorDataAsSpan<float>().ToArray(), p.Item2.GetTensorTypeAndShape().Shape));
        }
        finally
        {
            foreach (var value in inputs.Values) value.Dispose();
        }
    }

    public static Dictionary<string, OrtValue> Inputs(ModelProto model, int seed, int batch)
    {
        var random = new Random(seed);
        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        foreach (var input in model.Graph.Input)
        {
            var dims = input.Type.TensorType.Shape.Dim.Select((d, i) => d.DimValue > 0 ? d.DimValue : i == 0 ? batch : 5).ToArray();
            var count = (int)dims.Aggregate(1L, (a, b) => a * b);
            if (input.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Int64)
            {
                // An attention mask: every row keeps its first positions and pads the rest.
                var mask = new long[count];
                var length = dims[^1];
                for (var i = 0; i < count; i++) mask[i] = i % length < length - (i / length % 3) ? 1 : 0;
                inputs[input.Name] = OrtValue.CreateTensorValueFromMemory(mask, dims);
            }
            else
            {
                var values = Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
                inputs[input.Name] = OrtValue.CreateTensorValueFromMemory(values, dims);
            }
        }

        return inputs;
    }

    public static double MaxAbsDifference(IReadOnlyDictionary<string, (float[] Values, long[] Shape)> a, IReadOnlyDictionary<string, (float[] Values, long[] Shape)> b)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        var worst = 0.0;
        foreach (var (name, (values, shape)) in a)
        {
            Assert.Equal(shape, b[name].Shape);
            for (var i = 0; i < values.Length; i++) worst = Math.Max(worst, Math.Abs(values[i] - b[name].Values[i]));
        }

        return worst;
    }
}
