namespace ModelPrune.Engine.Statistics;

/// <summary>Small constructors for the nodes, attributes and tensors the statistics graph adds.</summary>
internal static class GraphNodes
{
    public static global::Onnx.NodeProto Node(string opType, string name, string[] inputs, string output, params global::Onnx.AttributeProto[] attributes)
    {
        var node = new global::Onnx.NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static global::Onnx.AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = global::Onnx.AttributeProto.Types.AttributeType.Int, I = value };

    public static global::Onnx.AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new global::Onnx.AttributeProto { Name = name, Type = global::Onnx.AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static global::Onnx.TensorProto Int64Tensor(string name, long[] dims, params long[] values)
    {
        var tensor = new global::Onnx.TensorProto { Name = name, DataType = (int)global::Onnx.TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    public static global::Onnx.ValueInfoProto Output(string name, int elementType, params long[] dims)
    {
        var shape = new global::Onnx.TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new global::Onnx.ValueInfoProto
        {
            Name = name,
            Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } },
        };
    }
}
