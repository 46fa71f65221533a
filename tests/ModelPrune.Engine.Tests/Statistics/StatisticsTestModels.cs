using System.Runtime.InteropServices;
using Google.Protobuf;

namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>Small models for the layouts the fixtures do not cover: opset 18, shared activations, Gemm with transA or a weight-first Gemm, grouped and strided Convs, constant activations.</summary>
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

    /// <summary>x [4, batch] → Gemm(W [3,4], x) → y [3, batch]: the weight is the first operand and the features sit on axis 0 of x.</summary>
    public static global::Onnx.ModelProto WeightFirstGemm()
    {
        var graph = new global::Onnx.GraphProto { Name = "weight_first_gemm" };
        graph.Input.Add(Value("x", Float, 4, "batch"));
        graph.Output.Add(Value("y", Float, 3, "batch"));
        graph.Initializer.Add(Floats("W", new Random(3), 3, 4));
        graph.Node.Add(Node("Gemm", "gemm", new[] { "W", "x" }, "y"));
        return Model(graph, 17);
    }

    /// <summary>
    /// x [batch, 4, 7, 6] → Conv(Wg [6, 2, 3, 2], group 2, strides 2×1, pads (1,0,1,1), dilations 1×2) → Relu "r1" [batch, 6, 4, 5]
    /// → depthwise Conv(Wd [6, 1, 3, 3], group 6, auto_pad SAME_UPPER) → y [batch, 6, 4, 5]: every attribute the unfolding must copy.
    /// </summary>
    public static global::Onnx.ModelProto GroupedStridedConv()
    {
        var random = new Random(4);
        var graph = new global::Onnx.GraphProto { Name = "grouped_strided_conv" };
        graph.Input.Add(Value("x", Float, "batch", 4, 7, 6));
        graph.Output.Add(Value("y", Float, "batch", 6, 4, 5));
        graph.Initializer.Add(Floats("Wg", random, 6, 2, 3, 2));
        graph.Initializer.Add(Floats("Wd", random, 6, 1, 3, 3));
        var grouped = Node("Conv", "grouped", new[] { "x", "Wg" }, "c1");
        grouped.Attribute.Add(Ints("group", 2));
        grouped.Attribute.Add(Ints("strides", 2, 1));
        grouped.Attribute.Add(Ints("pads", 1, 0, 1, 1));
        grouped.Attribute.Add(Ints("dilations", 1, 2));
        graph.Node.Add(grouped);
        graph.Node.Add(Node("Relu", "relu", new[] { "c1" }, "r1"));
        var depthwise = Node("Conv", "depthwise", new[] { "r1", "Wd" }, "y");
        depthwise.Attribute.Add(Ints("group", 6));
        depthwise.Attribute.Add(new global::Onnx.AttributeProto { Name = "auto_pad", Type = global::Onnx.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SAME_UPPER") });
        graph.Node.Add(depthwise);
        return Model(graph, 17);
    }

    /// <summary>
    /// Opset 13, x [batch, seq, 4] and attention_mask [batch, seq] (int64): x → MatMul(Wseq [4,3]) → y [batch, seq, 3],
    /// and x → ReduceMean over seq → MatMul(Wpool [4,2]) → pooled [batch, 2]. The mask is only read by the statistics.
    /// </summary>
    public static global::Onnx.ModelProto MaskedSequence()
    {
        var random = new Random(13);
        var graph = new global::Onnx.GraphProto { Name = "masked_sequence" };
        graph.Input.Add(Value("x", Float, "batch", "seq", 4));
        graph.Input.Add(Value("attention_mask", (int)global::Onnx.TensorProto.Types.DataType.Int64, "batch", "seq"));
        graph.Output.Add(Value("y", Float, "batch", "seq", 3));
        graph.Output.Add(Value("pooled", Float, "batch", 2));
        graph.Initializer.Add(Floats("Wseq", random, 4, 3));
        graph.Initializer.Add(Floats("Wpool", random, 4, 2));
        graph.Node.Add(Node("MatMul", "seq", new[] { "x", "Wseq" }, "y"));
        var mean = Node("ReduceMean", "pool", new[] { "x" }, "mean");
        var axes = new global::Onnx.AttributeProto { Name = "axes", Type = global::Onnx.AttributeProto.Types.AttributeType.Ints };
        axes.Ints.Add(1);
        mean.Attribute.Add(axes);
        mean.Attribute.Add(Ints("keepdims", 0));
        graph.Node.Add(mean);
        graph.Node.Add(Node("MatMul", "head", new[] { "mean", "Wpool" }, "pooled"));
        return Model(graph, 13);
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

    /// <summary>
    /// x [batch, 8] → MatMul(W1) → Relu → Add(s) → MatMul(W2) → Relu → Add(s) → MatMul(W3 [8,4]) → y, where
    /// s = ReduceMean(W2): W2 is read on the way to its own input (round 1), and s also reaches W3's (round 2).
    /// </summary>
    public static global::Onnx.ModelProto WeightReadBeforeItsRound()
    {
        var random = new Random(7);
        var graph = new global::Onnx.GraphProto { Name = "weight_read_before_its_round" };
        graph.Input.Add(Value("x", Float, "batch", 8));
        graph.Output.Add(Value("y", Float, "batch", 4));
        graph.Initializer.Add(Floats("W1", random, 8, 8));
        graph.Initializer.Add(Floats("W2", random, 8, 8));
        graph.Initializer.Add(Floats("W3", random, 8, 4));
        graph.Node.Add(Node("MatMul", "fc1", new[] { "x", "W1" }, "h1"));
        graph.Node.Add(Node("Relu", "relu1", new[] { "h1" }, "r1"));
        graph.Node.Add(Node("ReduceMean", "w2_mean", new[] { "W2" }, "s"));
        graph.Node.Add(Node("Add", "shift1", new[] { "r1", "s" }, "a2"));
        graph.Node.Add(Node("MatMul", "fc2", new[] { "a2", "W2" }, "h2"));
        graph.Node.Add(Node("Relu", "relu2", new[] { "h2" }, "r2"));
        graph.Node.Add(Node("Add", "shift2", new[] { "r2", "s" }, "a3"));
        graph.Node.Add(Node("MatMul", "fc3", new[] { "a3", "W3" }, "y"));
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

    private static global::Onnx.TensorProto Floats(string name, Random random, params long[] dims)
    {
        var values = Enumerable.Range(0, (int)dims.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var tensor = new global::Onnx.TensorProto { Name = name, DataType = Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>An int attribute for one value, an ints attribute for several.</summary>
    private static global::Onnx.AttributeProto Ints(string name, params long[] values)
    {
        if (values.Length == 1)
        {
            return new global::Onnx.AttributeProto { Name = name, Type = global::Onnx.AttributeProto.Types.AttributeType.Int, I = values[0] };
        }

        var attribute = new global::Onnx.AttributeProto { Name = name, Type = global::Onnx.AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
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
