using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class PrunableWeightFinderTests
{
    [Fact]
    public void Gemm_weights_take_their_input_axis_from_transB()
    {
        AssertWeights(
            FixtureModels.GemmMlp(),
            ("W1", "Gemm", "gemm1", "initializer", 1),
            ("W2", "Gemm", "gemm2", "initializer", 0),
            ("W3", "Gemm", "gemm3", "initializer", 1));
    }

    [Fact]
    public void MatMul_weights_shared_weight_listed_once_and_weight_first_operand()
    {
        var weights = AssertWeights(
            FixtureModels.MatMulMlp(),
            ("W1", "MatMul", "matmul1", "initializer", 0),
            ("W_shared", "MatMul", "matmul2,matmul3", "initializer", 0),
            ("W_out", "MatMul", "matmul_weight_first", "initializer", 1));

        Assert.Equal(new long[] { 8, 20 }, weights[2].Tensor.Dims);
    }

    [Fact]
    public void Conv_weights_have_input_channels_on_axis_1_and_biases_are_not_listed()
    {
        AssertWeights(
            FixtureModels.SmallCnn(),
            ("conv1.weight", "Conv", "conv1", "initializer", 1),
            ("conv2.weight", "Conv", "conv2", "initializer", 1),
            ("fc.weight", "Gemm", "fc", "initializer", 1));
    }

    [Fact]
    public void Constant_nodes_identity_chains_and_if_branches_resolve_to_their_storage()
    {
        var weights = AssertWeights(
            FixtureModels.ConstantAndIfModel(),
            ("W_const1", "MatMul", "matmul_const", "constant", 0),
            ("W_base", "MatMul", "matmul_identity", "initializer", 0),
            ("W_then", "MatMul", "then_matmul", "main/if_branch.then_branch: initializer", 0),
            ("W_outer", "MatMul", "else_matmul", "initializer", 0));

        Assert.Equal(new long[] { 8, 16 }, weights[0].Tensor.Dims);
    }

    [Fact]
    public void Float16_weights_are_found_and_marked_floating_point()
    {
        var weights = AssertWeights(
            FixtureModels.Float16Mlp(),
            ("W1", "MatMul", "matmul1", "initializer", 0),
            ("W2", "MatMul", "matmul2", "initializer", 0));

        Assert.All(weights, w =>
        {
            Assert.True(w.Tensor.IsFloatingPoint);
            Assert.Equal("float16", w.Tensor.ElementTypeName);
        });
    }

    [Fact]
    public void Embedding_tables_and_normalisation_parameters_are_not_listed()
    {
        AssertWeights(FixtureModels.EmbeddingModel(), ("W_proj", "MatMul", "proj", "initializer", 0));
    }

    [Fact]
    public void Lstm_input_and_recurrent_weights_are_listed_but_not_its_bias()
    {
        AssertWeights(
            FixtureModels.LstmModel(),
            ("lstm.W", "LSTM", "lstm", "initializer", 2),
            ("lstm.R", "LSTM", "lstm", "initializer", 2));
    }

    [Fact]
    public void ConvTranspose_weight_has_input_channels_on_axis_0()
    {
        AssertWeights(FixtureModels.ConvTransposeModel(), ("deconv.weight", "ConvTranspose", "deconv", "initializer", 0));
    }

    [Fact]
    public void Classifier_sample_and_not_divisible_model_list_their_gemm_weights()
    {
        AssertWeights(
            FixtureModels.ClassifierSample(),
            ("fc1.weight", "Gemm", "fc1", "initializer", 1),
            ("fc2.weight", "Gemm", "fc2", "initializer", 1),
            ("fc3.weight", "Gemm", "fc3", "initializer", 1));
        var notDivisible = AssertWeights(
            FixtureModels.NotDivisibleMlp(),
            ("W1", "Gemm", "gemm1", "initializer", 1),
            ("W2", "Gemm", "gemm2", "initializer", 1));
        Assert.Equal(10, notDivisible[0].Tensor.Dims[notDivisible[0].InputAxis]);
    }

    [Fact]
    public void Unnamed_nodes_get_stable_names_from_graph_path_and_index()
    {
        var model = FixtureModels.GemmMlp();
        foreach (var node in model.Graph.Node)
        {
            node.Name = string.Empty;
        }

        var weights = PrunableWeightFinder.Find(model);

        Assert.Equal(new[] { "Gemm@main/0", "Gemm@main/2", "Gemm@main/4" }, weights.Select(w => Assert.Single(w.NodeNames)));
    }

    [Fact]
    public void Initializer_that_is_also_a_graph_input_is_not_a_weight()
    {
        var model = FixtureModels.GemmMlp();
        model.Graph.Input.Add(new ValueInfoProto { Name = "W1" });

        Assert.DoesNotContain(PrunableWeightFinder.Find(model), w => w.Name == "W1");
    }

    [Fact]
    public void Gemm_with_the_weight_as_A_takes_its_axis_from_transA()
    {
        var model = FixtureModels.GemmMlp();
        var gemm = model.Graph.Node[0];
        (gemm.Input[0], gemm.Input[1]) = (gemm.Input[1], gemm.Input[0]);
        gemm.Attribute.Clear();
        gemm.Attribute.Add(new AttributeProto { Name = "transA", Type = AttributeProto.Types.AttributeType.Int, I = 1 });

        var first = PrunableWeightFinder.Find(model)[0];

        Assert.Equal(("W1", 0), (first.Name, first.InputAxis));
    }

    [Fact]
    public void Non_float_weights_are_listed_for_the_caller_to_skip()
    {
        var model = FixtureModels.MatMulMlp();
        model.Graph.Initializer.Single(t => t.Name == "W_shared").DataType = (int)TensorProto.Types.DataType.Int32;

        var shared = PrunableWeightFinder.Find(model).Single(w => w.Name == "W_shared");

        Assert.False(shared.Tensor.IsFloatingPoint);
        Assert.Equal("int32", shared.Tensor.ElementTypeName);
    }

    [Fact]
    public void Finds_weights_of_a_model_read_from_disk_in_the_same_order_every_time()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("m.onnx"), FixtureModels.Serialize(FixtureModels.ConstantAndIfModel()));
        var model = OnnxModelReader.Read(folder.File("m.onnx"));

        var first = PrunableWeightFinder.Find(model).Select(w => w.Name);
        var second = PrunableWeightFinder.Find(model).Select(w => w.Name);

        Assert.Equal(first, second);
    }

    private static IReadOnlyList<PrunableWeight> AssertWeights(ModelProto model, params (string Name, string OpType, string Nodes, string Location, int Axis)[] expected)
    {
        var weights = PrunableWeightFinder.Find(model);

        var actual = weights.Select(w => (w.Name, w.OpType, string.Join(",", w.NodeNames), w.Location, w.InputAxis)).ToArray();
        Assert.Equal(expected, actual);
        Assert.All(weights, w => Assert.Equal(w.Name, w.Tensor.Name));
        return weights;
    }
}
