using System.Runtime.InteropServices;
using Google.Protobuf;

namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>Small models for the layouts the fixtures do not cover: opset 18, shared activations, Gemm with transA, constant activations.</summary>
internal static class StatisticsTestModels
{
    private const int Float = (int)global::Onnx.TensorProto.Types.DataType.Float;

    /// <summary>
    /// Opset 18, x [batch, seq, 6] → MatMul(Wq [6,5]) and MatMul(Wk [6,5]) on the same x → Add → Relu
    /// → MatMul(W2 [5,3]) → y [batch, seq, 3]: 3-D activations, a shared activation and ReduceSumSquare-18.
    /// </summary>
    public static global::Onnx.ModelProto SharedInputOpset18()
    {
        var random = new Random(18);
        var graph = new global::Onnx.GraphProto { Name = "shared_input_opset18" };
        graph.Input.Add(Value("x", Float, "batch", "seq", 6));
        graph.Output.Add(Value("y", Float, "batch", "seq", 3));
        graph.Initializer.Add(Floats("Wq", random, 6, 5));
        graph.Initializer.Add(Floats("Wk", random, 6, 5));
        graph.Initializer.Add(Floats("W2", random, 5, 3));
        graph.Node.Add(Node("MatMul", "q", new[] { "x", "Wq" }, "q_out"));
        graph.Node.Add(Node("MatMul", "k", new[] { "x", "Wk" }, "k_out"));
        graph.Node.Add(Node("Add", "sum", new[] { "q_out", "k_out" }, "summed"));
        graph.Node.Add(Node("Relu", "relu", new[] { "summed" }, "hidden"));
        graph.Node.Add(Node("MatMul", "out", new[] { "hidden", "W2" }, "y"));
        return Model(graph, 18);
    }

    /// <summary>x [4, batch] → Gemm(transA=1, W [4,3]) → y [batch, 3]: the features sit on axis 0.</summary>
    public static global::Onnx.ModelProto GemmTransA()
    {
        var graph = new global::Onnx.GraphProto { Name = "gemm_trans_a" };
        graph.Input.Add(Value("x", Float, 4, "batch"));
        graph.Output.Add(Value("y", Float, "batch", 3));
        graph.Initializer.Add(Floats("W", new Random(1), 4, 3));
        var gemm = Node("Gemm", "gemm", new[] { "x", "W" }, "y");
        gemm.Attribute.Add(new global::Onnx.AttributeProto { Name = "transA", Type = global::Onnx.AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(gemm);
        return Model(graph, 17);
    }

    /// <summary>MatMul(C [2,4], W [4,3]) where both operands are initializers, added to x [2,3].</summary>
    public static global::Onnx.ModelProto ConstantActivation()
    {
        var random = new Random(2);
        var graph = new global::Onnx.GraphProto { Name = "constant_activation" };
        graph.Input.Add(Value("x", Float, 2, 3));
        graph.Output.Add(Value("y", Float, 2, 3));
        graph.Initializer.Add(Floats("C", random, 2, 4));
        graph.Initializer.Add(Floats("W", random, 4, 3));
        graph.Node.Add(Node("MatMul", "matmul", new[] { "C", "W" }, "product"));
        graph.Node.Add(Node("Add", "add", new[] { "product", "x" }, "y"));
        return Model(graph, 17);
    }

    private static global::Onnx.ModelProto Model(global::Onnx.GraphProto graph, long opset)
    {
        var model = new global::Onnx.ModelProto { IrVersion = 8, ProducerName = "ModelPrune.Engine.Tests", Graph = graph };
        model.OpsetImport.Add(new global::Onnx.OperatorSetIdProto { Domain = string.Empty, Version = opset });
        return model;
    }

    private static global::Onnx.NodeProto Node(string opType, string name, string[] inputs, string output)
    {
        var node = new global::Onnx.NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static global::Onnx.TensorProto Floats(string name, Random random, long rows, long columns)
    {
        var values = Enumerable.Range(0, (int)(rows * columns)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var tensor = new global::Onnx.TensorProto { Name = name, DataType = Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.Add(rows);
        tensor.Dims.Add(columns);
        return tensor;
    }

    private static global::Onnx.ValueInfoProto Value(string name, int elementType, params object[] dims)
    {
        var shape = new global::Onnx.TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is string symbol
                ? new global::Onnx.TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim) });
        }

        return new global::Onnx.ValueInfoProto
        {
            Name = name,
            Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } },
        };
    }
}
