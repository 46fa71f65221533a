using Google.Protobuf;
using Onnx;

namespace ModelPrune.Engine.Tests.Evaluation;

/// <summary>
/// Tiny ONNX models written with the protobuf classes, so these tests need no fixture files and each
/// model's weights are known exactly for hand computations.
/// </summary>
internal static class TestModels
{
    public const int InFeatures = 4;
    public const int OutFeatures = 3;
    public const int VocabularyRows = 30;
    public const int EmbeddingWidth = 5;

    /// <summary>W[i, j] = (i + 1) * 0.1 - j * 0.2: no two columns alike, so argmax depends on the input.</summary>
    public static float[] LinearWeights()
    {
        var w = new float[InFeatures * OutFeatures];
        for (var i = 0; i < InFeatures; i++)
        {
            for (var j = 0; j < OutFeatures; j++)
            {
                w[(i * OutFeatures) + j] = ((i + 1) * 0.1f) - (j * 0.2f);
            }
        }

        return w;
    }

    /// <summary>x [batchDim, 4] → MatMul(W [4, 3]) → y [batchDim, 3]; batchDim null leaves the dimension unnamed.</summary>
    public static void WriteLinear(string path, float[] weights, string? batchDim = "batch", bool weightAlsoGraphInput = false)
    {
        var graph = new GraphProto { Name = "linear" };
        graph.Input.Add(ValueInfo("x", TensorProto.Types.DataType.Float, Dim(batchDim), Dim(InFeatures)));
        graph.Output.Add(ValueInfo("y", TensorProto.Types.DataType.Float, Dim(batchDim), Dim(OutFeatures)));
        graph.Initializer.Add(FloatTensor("W", weights, InFeatures, OutFeatures));
        if (weightAlsoGraphInput)
        {
            // Old exporters list every initializer as a graph input too; ORT must not ask us to feed it.
            graph.Input.Add(ValueInfo("W", TensorProto.Types.DataType.Float, Dim(InFeatures), Dim(OutFeatures)));
        }

        graph.Node.Add(Node("MatMul", new[] { "x", "W" }, new[] { "y" }));
        Write(path, graph);
    }

    /// <summary>
    /// ids [batch, sequence] int64 → Gather(E [30, 5]) → embeddings [batch, sequence, 5];
    /// mask [batch, sequence] int64 → Cast(float) → mask_float. An id ≥ 30 makes ORT fail.
    /// </summary>
    public static void WriteEmbedding(string path)
    {
        var table = new float[VocabularyRows * EmbeddingWidth];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (i % 7) - 3;
        }

        var graph = new GraphProto { Name = "embedding" };
        graph.Input.Add(ValueInfo("ids", TensorProto.Types.DataType.Int64, Dim("batch"), Dim("sequence")));
        graph.Input.Add(ValueInfo("mask", TensorProto.Types.DataType.Int64, Dim("batch"), Dim("sequence")));
        graph.Output.Add(ValueInfo("embeddings", TensorProto.Types.DataType.Float, Dim("batch"), Dim("sequence"), Dim(EmbeddingWidth)));
        graph.Output.Add(ValueInfo("mask_float", TensorProto.Types.DataType.Float, Dim("batch"), Dim("sequence")));
        graph.Initializer.Add(FloatTensor("E", table, VocabularyRows, EmbeddingWidth));
        graph.Node.Add(Node("Gather", new[] { "E", "ids" }, new[] { "embeddings" }));
        var cast = Node("Cast", new[] { "mask" }, new[] { "mask_float" });
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        graph.Node.Add(cast);
        Write(path, graph);
    }

    /// <summary>A model that is valid protobuf but names an operator no runtime has.</summary>
    public static void WriteUnknownOp(string path)
    {
        var graph = new GraphProto { Name = "unknown" };
        graph.Input.Add(ValueInfo("x", TensorProto.Types.DataType.Float, Dim("batch"), Dim(InFeatures)));
        graph.Output.Add(ValueInfo("y", TensorProto.Types.DataType.Float, Dim("batch"), Dim(InFeatures)));
        graph.Node.Add(Node("DefinitelyNotAnOnnxOp", new[] { "x" }, new[] { "y" }));
        Write(path, graph);
    }

    private static void Write(string path, GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "ModelPrune.Engine.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    private static NodeProto Node(string opType, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = opType + "_0" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    private static TensorShapeProto.Types.Dimension Dim(long size) => new() { DimValue = size };

    /// <summary>A named symbolic dimension, or an unknown one when name is null.</summary>
    private static TensorShapeProto.Types.Dimension Dim(string? name) => name is null ? new() : new() { DimParam = name };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
