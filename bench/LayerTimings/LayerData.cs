using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Bench.LayerTimings;

/// <summary>
/// One reference layer as the engine sees it: W [out, in] (PyTorch layout) and its calibration rows
/// X [tokens, in], wrapped in a one-MatMul ONNX model (x [tokens, in] · W.T [in, out], the layout the
/// MiniLM export has) so that the statistics go through the engine's real ORT path, and X cut into
/// batches of rows the way the pipeline streams calibration batches.
/// </summary>
internal sealed class LayerData : IDisposable
{
    private const string InputName = "x";
    private const string WeightName = "W";

    private readonly List<OrtValue> _batchValues = new();

    private LayerData(string name, float[] w, float[] x, int outFeatures, int inFeatures, int tokens, int batchRows)
    {
        Name = name;
        W = w;
        X = x;
        Out = outFeatures;
        In = inFeatures;
        Tokens = tokens;
        Model = BuildModel(w, outFeatures, inFeatures);
        Weights = PrunableWeightFinder.Find(Model);
        if (Weights.Count != 1 || Weights[0].Name != WeightName || Weights[0].InputAxis != 0)
        {
            throw new InvalidOperationException($"the engine found {Weights.Count} prunable weights in the one-MatMul model of {name}, expected W with input axis 0");
        }

        for (var first = 0; first < tokens; first += batchRows)
        {
            var rows = Math.Min(batchRows, tokens - first);
            _batchValues.Add(OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, new Memory<float>(x, first * inFeatures, rows * inFeatures), new long[] { rows, inFeatures }));
        }

        Batches = _batchValues.Select(v => (IReadOnlyDictionary<string, OrtValue>)new Dictionary<string, OrtValue> { [InputName] = v }).ToArray();
        FirstRow = new[] { (IReadOnlyDictionary<string, OrtValue>)new Dictionary<string, OrtValue> { [InputName] = CreateFirstRow(x, inFeatures) } };
    }

    public string Name { get; }

    /// <summary>[Out, In], row-major.</summary>
    public float[] W { get; }

    /// <summary>[Tokens, In], row-major.</summary>
    public float[] X { get; }

    public int Out { get; }

    public int In { get; }

    public int Tokens { get; }

    public ModelProto Model { get; }

    public IReadOnlyList<PrunableWeight> Weights { get; }

    /// <summary>X in batches of rows; the values stay valid until this object is disposed.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, OrtValue>> Batches { get; }

    /// <summary>A single batch of one row: Collect on it costs the graph build and session, not the data.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, OrtValue>> FirstRow { get; }

    public static LayerData Load(string name, int batchRows)
    {
        if (batchRows <= 0) throw new ArgumentOutOfRangeException(nameof(batchRows), batchRows, "must be positive");
        var w = NpyReader.Read(ReferenceFolder.File($"{name}/W.npy"));
        var x = NpyReader.Read(ReferenceFolder.File($"{name}/X.npy"));
        if (w.Shape[1] != x.Shape[1]) throw new InvalidDataException($"{name}: W is {string.Join("x", w.Shape)} but X is {string.Join("x", x.Shape)}");
        return new LayerData(name, w.ToFloat32(), x.ToFloat32(), (int)w.Shape[0], (int)w.Shape[1], (int)x.Shape[0], batchRows);
    }

    public void Dispose()
    {
        foreach (var value in _batchValues) value.Dispose();
        foreach (var batch in FirstRow)
        {
            foreach (var value in batch.Values) value.Dispose();
        }
    }

    private static OrtValue CreateFirstRow(float[] x, int inFeatures) =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(x, 0, inFeatures), new long[] { 1, inFeatures });

    /// <summary>IR 7, opset 13, like the MiniLM export the layers come from; the token axis is symbolic so every batch size fits.</summary>
    private static ModelProto BuildModel(float[] w, int outFeatures, int inFeatures)
    {
        var transposed = new float[w.Length];
        for (var o = 0; o < outFeatures; o++)
        {
            for (var i = 0; i < inFeatures; i++) transposed[(i * outFeatures) + o] = w[(o * inFeatures) + i];
        }

        var initializer = new TensorProto { Name = WeightName, DataType = (int)TensorProto.Types.DataType.Float };
        initializer.Dims.AddRange(new long[] { inFeatures, outFeatures });
        initializer.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(transposed.AsSpan()));

        var node = new NodeProto { OpType = "MatMul", Name = "MatMul_layer" };
        node.Input.AddRange(new[] { InputName, WeightName });
        node.Output.Add("y");

        var graph = new GraphProto { Name = "layer" };
        graph.Node.Add(node);
        graph.Initializer.Add(initializer);
        graph.Input.Add(FloatValue(InputName, inFeatures));
        graph.Output.Add(FloatValue("y", outFeatures));

        var model = new ModelProto { IrVersion = 7, ProducerName = "ModelPrune.Bench.LayerTimings", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        return model;
    }

    private static ValueInfoProto FloatValue(string name, int features)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "tokens" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = features });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
