using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The first ONNX Runtime session of a process pays ~150 ms for loading the native library, creating the
/// environment and compiling the managed bindings. Paying it on another core while the engine reads and
/// prunes the model takes it off the critical path; a one-node model costs no memory worth mentioning.
/// </summary>
public static class OnnxRuntimeWarmup
{
    private static readonly Lazy<Task> Warmed = new(() => Task.Run(Warm));

    public static void Start() => _ = Warmed.Value;

    /// <summary>Waits for a started warm-up. Its failures are ignored: the real session reports them with a code.</summary>
    public static void Wait()
    {
        if (!Warmed.IsValueCreated) return;
        try
        {
            Warmed.Value.Wait();
        }
        catch (AggregateException)
        {
        }
    }

    private static void Warm()
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(IdentityModel(), options);
        using var input = OrtValue.CreateTensorValueFromMemory(new float[] { 1f }, new long[] { 1 });
        using var outputs = session.Run(new RunOptions(), new[] { "x" }, new[] { input }, new[] { "y" });
    }

    private static byte[] IdentityModel()
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        var graph = new GraphProto { Name = "warmup" };
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = tensor } });
        graph.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = tensor.Clone() } });
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "identity", Input = { "x" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }
}
