using ModelPrune.Engine.Calibration;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Calibration;

public sealed class ModelInputSignatureTests
{
    [Fact]
    public void Reads_names_element_types_and_symbolic_dimensions()
    {
        var signature = ModelInputSignature.FromModel(FixtureModels.GemmMlp());

        var input = Assert.Single(signature.Inputs);
        Assert.Equal("input", input.Name);
        Assert.Equal(1, input.ElementType);
        Assert.Equal("float32", input.ElementTypeName);
        Assert.True(input.IsTensor);
        Assert.Equal(new[] { new InputDimension(null, "batch"), new InputDimension(16, null) }, input.Dimensions);
        Assert.Equal("input: float32[batch,16]", input.ToString());
    }

    [Fact]
    public void Reads_a_four_dimensional_input()
    {
        var input = Assert.Single(ModelInputSignature.FromModel(FixtureModels.SmallCnn()).Inputs);

        Assert.Equal(4, input.Dimensions!.Count);
        Assert.Equal(new long?[] { null, 4, 8, 8 }, input.Dimensions.Select(d => d.Value));
    }

    [Fact]
    public void Leaves_out_inputs_that_are_initializers()
    {
        var model = FixtureModels.GemmMlp();

        // Older exporters list every weight as a graph input too; ONNX Runtime feeds those itself.
        model.Graph.Input.Add(new global::Onnx.ValueInfoProto
        {
            Name = "W1",
            Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = 1 } },
        });
        model.Graph.Input.Add(new global::Onnx.ValueInfoProto
        {
            Name = "ids",
            Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = 7 } },
        });

        var signature = ModelInputSignature.FromModel(model);

        Assert.Equal(new[] { "input", "ids" }, signature.Names);
        var ids = signature.Find("ids")!;
        Assert.Equal("int64", ids.ElementTypeName);
        Assert.Null(ids.Dimensions);
    }

    [Fact]
    public void Unnamed_open_dimensions_show_as_question_marks()
    {
        Assert.Equal("?", new InputDimension(null, null).ToString());
        Assert.Equal("seq", new InputDimension(null, "seq").ToString());
        Assert.Equal("3", new InputDimension(3, null).ToString());
    }
}
