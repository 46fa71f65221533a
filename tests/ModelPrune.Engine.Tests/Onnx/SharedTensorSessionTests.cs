using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Onnx;

/// <summary>
/// A session on the engine's own tensors computes what ONNX Runtime computes from the serialized model, bit for bit,
/// without changing the model or leaving files behind.
/// </summary>
public sealed class SharedTensorSessionTests
{
    public static TheoryData<string> Models => new()
    {
        "mlp", "initializers-as-inputs", "gemm", "float16", "matmul-chain", "constant-and-if", "embedding", "cnn", "lstm", "llama", "mixed-formats",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_session_on_shared_tensors_gives_the_outputs_of_the_serialized_model(string name)
    {
        var model = Build(name);
        var serialized = model.ToByteArray();

        var expected = RunAll(() => OpenSerialized(serialized), 0f);
        var shared = RunAll(() => OpenShared(model), 0f);

        Assert.Equal(expected.Keys, shared.Keys);
        foreach (var (output, values) in expected) Assert.Equal(values, shared[output]);
        Assert.Equal(serialized, model.ToByteArray());
    }

    [Fact]
    public void The_large_tensors_are_shared_and_the_small_and_typed_ones_stay_in_the_graph()
    {
        var model = QuantizationFixtures.MatMulChain(2, 16, 32, 16);
        // A weight in typed fields (float_data), as some exporters write them: it cannot be wrapped, so it stays inside.
        var typed = model.Graph.Initializer.OrderByDescending(t => t.RawData.Length).First();
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(typed.RawData.Span).ToArray();
        typed.RawData = ByteString.Empty;
        typed.FloatData.Add(values);
        var expected = RunAll(() => OpenSerialized(model.ToByteArray()), 0f);

        Assert.Equal(expected[expected.Keys.First()], RunAll(() => OpenShared(model), 0f)[expected.Keys.First()]);
        Assert.Equal(values.Length, typed.FloatData.Count);
    }

    [Fact]
    public void Tensors_mapped_from_a_data_file_are_shared_and_the_session_leaves_no_folder_behind()
    {
        using var folder = new TempFolder();
        var path = folder.File("chain.onnx");
        OnnxModelWriter.WriteWithExternalData(QuantizationFixtures.MatMulChain(3, 64, 256, 64), path, path + ".data");
        var model = OnnxModelReader.Read(path);
        bool Leftover() => Directory.EnumerateDirectories(Path.GetTempPath(), $"modelprune-session.{Environment.ProcessId}-*.tmp").Any();

        var expected = RunAll(() => OpenSerialized(File.ReadAllBytes(path), folder.Path), 0f);
        var shared = RunAll(() => OpenShared(model.Proto), 0f);

        Assert.Equal(expected, shared);
        Assert.False(Leftover());
        GC.KeepAlive(model);
    }

    /// <summary>
    /// Off the CPU (here a device of another name on ORT's CPU provider) the model goes to ORT whole: one protobuf, or a
    /// file pair in the temporary folder past the protobuf limit (lowered to 64 KiB instead of building a 2 GiB model).
    /// </summary>
    [Theory]
    [InlineData(OnnxModelWriter.ProtobufLimitBytes)]
    [InlineData(64 * 1024)]
    public void Off_the_cpu_the_session_holds_its_own_copy_with_the_same_outputs(long protobufLimitBytes)
    {
        var model = QuantizationFixtures.MatMulChain(3, 64, 512, 64);
        var device = new ExecutionDevice("gpu-like", _ => { });
        bool Leftover() => Directory.EnumerateDirectories(Path.GetTempPath(), $"modelprune-session.{Environment.ProcessId}-*.tmp").Any();
        var expected = RunAll(() => OpenSerialized(model.ToByteArray()), 0f);

        using var session = OpenShared(model, device, protobufLimitBytes);
        var weight = model.Graph.Initializer.First(t => t.Name == "W1");
        Assert.True(new WeightTensor(weight.Name, weight).TryGetFloat32InPlace(out var raw));
        raw.Span.Clear();

        Assert.Equal(expected.Values.First(), Run(session, -3f).Values.Single());
        Assert.False(Leftover());
    }

    [Fact]
    public void A_session_sees_the_tensor_bytes_as_they_are_when_it_runs()
    {
        // The session has no copy: what the engine holds is what it computes with (the reason callers never prune
        // while one is open).
        var model = QuantizationFixtures.MatMulChain(1, 32, 64, 32);
        using var session = OpenShared(model);
        var before = Run(session, 0f).Values.Single();
        var weight = model.Graph.Initializer.First(t => t.Name == "W1");
        Assert.True(new WeightTensor(weight.Name, weight).TryGetFloat32InPlace(out var raw));
        raw.Span.Clear();

        var after = Run(session, 0f).Values.Single();

        Assert.Contains(before, v => v != 0f);
        Assert.All(after, v => Assert.Equal(0f, v));
    }

    private static ModelProto Build(string name) => name switch
    {
        "mlp" => FixtureModels.MatMulMlp(),
        "initializers-as-inputs" => InitializersAsInputs(FixtureModels.MatMulMlp()),
        "gemm" => FixtureModels.GemmMlp(),
        "float16" => FixtureModels.Float16Mlp(),
        "matmul-chain" => QuantizationFixtures.MatMulChain(3, 64, 128, 32),
        "constant-and-if" => FixtureModels.ConstantAndIfModel(),
        "embedding" => FixtureModels.EmbeddingModel(),
        "cnn" => FixtureModels.SmallCnn(),
        "lstm" => FixtureModels.LstmModel(),
        "llama" => LlamaFixtures.Build(LlamaConfig.Small),
        "mixed-formats" => QuantizationFixtures.MixedFormats(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Older exporters (IR 3) list every initializer among the graph's inputs too, where a feed could override it.</summary>
    private static ModelProto InitializersAsInputs(ModelProto model)
    {
        foreach (var initializer in model.Graph.Initializer)
        {
            var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = initializer.DataType, Shape = new TensorShapeProto() } };
            foreach (var dim in initializer.Dims) type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
            model.Graph.Input.Add(new ValueInfoProto { Name = initializer.Name, Type = type });
        }

        return model;
    }

    /// <summary>The same options as the shared session's: other graph optimisations would change the last bits.</summary>
    private static InferenceSession OpenSerialized(byte[] model, string? externalDataFolder = null)
    {
        using var options = OnnxSessionOptions.ForOnePass();
        if (externalDataFolder is not null) options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", externalDataFolder);
        return new InferenceSession(model, options);
    }

    private static InferenceSession OpenShared(ModelProto model, ExecutionDevice? device = null, long protobufLimitBytes = OnnxModelWriter.ProtobufLimitBytes)
    {
        using var options = OnnxSessionOptions.ForOnePass();
        return SharedTensorSession.Open(model, options, device ?? ExecutionDevice.Cpu, protobufLimitBytes);
    }

    /// <summary>Both branches of a model with an If: the input shifted down and up.</summary>
    private static Dictionary<string, float[]> RunAll(Func<InferenceSession> open, float shift)
    {
        using var session = open();
        var result = new Dictionary<string, float[]>();
        foreach (var branch in new[] { shift - 3f, shift + 3f })
        {
            foreach (var (output, values) in Run(session, branch)) result[$"{output}@{branch}"] = values;
        }

        return result;
    }

    private static Dictionary<string, float[]> Run(InferenceSession session, float shift)
    {
        var random = new Random(1234);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, metadata) in session.InputMetadata)
            {
                var shape = metadata.Dimensions.Select(d => d < 0 ? 2L : d).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                names.Add(name);
                values.Add(metadata.ElementType == typeof(long)
                    ? OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (long)random.Next(50)).ToArray(), shape)
                    : metadata.ElementType == typeof(Float16)
                        ? OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (Float16)(float)(random.NextDouble() * 2 - 1 + shift)).ToArray(), shape)
                        : OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) + shift).ToArray(), shape));
            }

            using var runOptions = new RunOptions();
            var outputNames = session.OutputNames.ToArray();
            using var outputs = session.Run(runOptions, names, values, outputNames);
            var result = new Dictionary<string, float[]>();
            for (var i = 0; i < outputNames.Length; i++)
            {
                result[outputNames[i]] = outputs[i].GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16
                    ? outputs[i].GetTensorDataAsSpan<Float16>().ToArray().Select(v => (float)v).ToArray()
                    : outputs[i].GetTensorDataAsSpan<float>().ToArray();
            }

            return result;
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }
}
