using Google.Protobuf;
using Onnx;

namespace ModelPrune.Engine.Common;

/// <summary>
/// A one-node float model (y = Identity(x), x of shape [1]): the cheapest thing that makes ONNX Runtime load
/// its library, create a session on a provider and run it, for the warm-up and the CUDA probe.
/// </summary>
internal static class IdentityModel
{
    public const string InputName = "x";
    public const string OutputName = "y";

    public static byte[] Bytes { get; } = Build();

    private static byte[] Build()
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(new ValueInfoProto { Name = InputName, Type = new TypeProto { TensorType = tensor } });
        graph.Output.Add(new ValueInfoProto { Name = OutputName, Type = new TypeProto { TensorType = tensor.Clone() } });
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "identity", Input = { InputName }, Output = { OutputName } });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }
}
