using Google.Protobuf;
using Onnx;

namespace ModelPrune.Engine.Tests.Quantization.Formats;

/// <summary>Models sized for the block sizes under test, which the shared fixtures' narrow layers do not reach.</summary>
internal static class FormatTestModels
{
    /// <summary>x [batch, widths[0]] → MatMul(W1) → Relu → MatMul(W2) → … → y [batch, widths[^1]]; seeded Gaussian weights.</summary>
    public static ModelProto MatMulChain(int seed, params int[] widths)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "matmul_chain" };
        graph.Input.Add(Value("x", widths[0]));
        var current = "x";
        for (var i = 1; i < widths.Length; i++)
        {
            int K = widths[i - 1], N = widths[i];
            var values = Enumerable.Range(0, K * N).Select(_ => (float)(Gaussian(random) / Math.Sqrt(K))).ToArray();
            var weight = new TensorProto { Name = $"W{i}", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray()) };
            weight.Dims.AddRange(new long[] { K, N });
            graph.Initializer.Add(weight);
            var product = i == widths.Length - 1 ? "y" : $"m{i}";
            graph.Node.Add(Node("MatMul", $"matmul{i}", new[] { current, weight.Name }, product));
            if (i < widths.Length - 1)
            {
                graph.Node.Add(Node("Relu", $"relu{i}", new[] { product }, $"a{i}"));
                current = $"a{i}";
            }
        }

        graph.Output.Add(Value("y", widths[^1]));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }

    private static NodeProto Node(string opType, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto Value(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
