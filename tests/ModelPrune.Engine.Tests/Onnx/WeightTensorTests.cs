using ModelPrune.Engine.Tests.TestSupport;
using Google.Protobuf;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class WeightTensorTests
{
    [Fact]
    public void Raw_float_weights_round_trip_and_other_tensors_stay_byte_identical_on_disk()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("in.onnx"), FixtureModels.Serialize(FixtureModels.GemmMlp()));
        var model = OnnxModelReader.Read(folder.File("in.onnx"));
        var w2 = PrunableWeightFinder.Find(model).Single(w => w.Name == "W2").Tensor;
        var values = w2.ReadValues();
        var pruned = values.Select((v, i) => i % 2 == 0 ? 0f : v).ToArray();

        w2.WriteValues(pruned);
        OnnxModelWriter.WriteAtomic(model.Proto, folder.File("out.onnx"));

        var original = FixtureModels.GemmMlp().Graph.Initializer;
        var written = OnnxModelReader.Read(folder.File("out.onnx")).Proto.Graph.Initializer;
        Assert.Equal(32 * 24, values.Length);
        Assert.Equal(pruned, new WeightTensor("W2", written.Single(t => t.Name == "W2")).ReadValues());
        Assert.Equal(0, original.Single(t => t.Name == "W2").FloatData.Count + written.Single(t => t.Name == "W2").FloatData.Count);
        foreach (var tensor in original.Where(t => t.Name != "W2"))
        {
            Assert.Equal(tensor.ToByteArray(), written.Single(t => t.Name == tensor.Name).ToByteArray());
        }

        Assert.Equal(32 * 24 / 2, w2.CountZeros());
        Assert.Equal(OrtModelRunner.Run(folder.File("out.onnx"))["logits"].Length, OrtModelRunner.Run(folder.File("in.onnx"))["logits"].Length);
    }

    [Fact]
    public void Float_data_weights_are_written_back_into_float_data()
    {
        var tensorProto = FixtureModels.MatMulMlp().Graph.Initializer.Single(t => t.Name == "W1");
        var tensor = new WeightTensor("W1", tensorProto);
        var values = tensor.ReadValues();
        Assert.Equal(tensorProto.FloatData.ToArray(), values);

        values[3] = 0f;
        tensor.WriteValues(values);

        Assert.True(tensorProto.RawData.IsEmpty);
        Assert.Equal(values, tensorProto.FloatData.ToArray());
        Assert.Equal(1, tensor.CountZeros());
    }

    [Theory]
    [InlineData("W1", true)]
    [InlineData("W2", false)]
    public void Float16_weights_keep_their_storage_kind(string name, bool raw)
    {
        var tensorProto = FixtureModels.Float16Mlp().Graph.Initializer.Single(t => t.Name == name);
        var tensor = new WeightTensor(name, tensorProto);
        var values = tensor.ReadValues();
        var pruned = values.Select((v, i) => i < 5 ? 0f : v * 0.5f).ToArray();

        tensor.WriteValues(pruned);

        Assert.Equal(raw, !tensorProto.RawData.IsEmpty);
        Assert.Equal(raw ? 0 : values.Length, tensorProto.Int32Data.Count);
        Assert.Equal(pruned.Select(v => (float)(Half)v), tensor.ReadValues());
        Assert.Equal("float16", tensor.ElementTypeName);
        Assert.True(tensor.IsFloatingPoint);
        Assert.Equal(5, tensor.CountZeros());
    }

    [Fact]
    public void Writing_one_weight_in_a_read_model_leaves_every_other_tensor_unchanged()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("m.onnx"), FixtureModels.Serialize(FixtureModels.ConstantAndIfModel()));
        var model = OnnxModelReader.Read(folder.File("m.onnx"));
        var weights = PrunableWeightFinder.Find(model);
        var wThen = weights.Single(w => w.Name == "W_then").Tensor;

        wThen.WriteValues(new float[wThen.ElementCount]);

        var original = FixtureModels.ConstantAndIfModel();
        var thenBranch = (ModelProto m) => m.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == "then_branch").G;
        Assert.NotEqual(thenBranch(original), thenBranch(model.Proto));
        thenBranch(model.Proto).Initializer[0] = thenBranch(original).Initializer[0].Clone();
        Assert.Equal(original, model.Proto);
    }

    [Fact]
    public void Bfloat16_rounds_to_nearest_even_and_reads_back()
    {
        var tensorProto = new TensorProto { Name = "bf", DataType = (int)TensorProto.Types.DataType.Bfloat16 };
        tensorProto.Dims.Add(4);
        tensorProto.RawData = ByteString.CopyFrom(new byte[8]);
        var tensor = new WeightTensor("bf", tensorProto);
        var oneAndHalfUlp = BitConverter.UInt32BitsToSingle(0x3F808000); // tie between 0x3F80 and 0x3F81
        var threeHalfUlps = BitConverter.UInt32BitsToSingle(0x3F818000); // tie between 0x3F81 and 0x3F82
        var aboveTie = BitConverter.UInt32BitsToSingle(0x3F808001);

        tensor.WriteValues(new[] { oneAndHalfUlp, threeHalfUlps, aboveTie, -2.5f });

        Assert.Equal(new byte[] { 0x80, 0x3F, 0x82, 0x3F, 0x81, 0x3F, 0x20, 0xC0 }, tensorProto.RawData.ToByteArray());
        Assert.Equal(new[] { 1f, BitConverter.UInt32BitsToSingle(0x3F820000), BitConverter.UInt32BitsToSingle(0x3F810000), -2.5f }, tensor.ReadValues());
        Assert.Equal("bfloat16", tensor.ElementTypeName);
    }

    [Fact]
    public void Double_weights_keep_full_precision_where_values_are_unchanged()
    {
        var tensorProto = new TensorProto { Name = "d", DataType = (int)TensorProto.Types.DataType.Double };
        tensorProto.Dims.Add(3);
        tensorProto.DoubleData.Add(new[] { 0.1, 0.2, 0.3 });
        var tensor = new WeightTensor("d", tensorProto);
        var values = tensor.ReadValues();

        values[1] = 0f;
        tensor.WriteValues(values);

        Assert.Equal(new[] { 0.1, 0.0, 0.3 }, tensorProto.DoubleData.ToArray());
        Assert.Equal("float64", tensor.ElementTypeName);
    }

    [Fact]
    public void Shape_and_type_facts_come_from_the_tensor()
    {
        var tensor = new WeightTensor("conv", FixtureModels.SmallCnn().Graph.Initializer.Single(t => t.Name == "conv2.weight"));

        Assert.Equal(new long[] { 16, 8, 3, 3 }, tensor.Dims);
        Assert.Equal(16 * 8 * 9, tensor.ElementCount);
        Assert.Equal("float32", tensor.ElementTypeName);
        Assert.Equal(0, tensor.CountZeros());
    }

    [Fact]
    public void Writing_the_wrong_number_of_values_is_refused()
    {
        var tensor = new WeightTensor("W1", FixtureModels.GemmMlp().Graph.Initializer[0]);

        Assert.Throws<ArgumentException>(() => tensor.WriteValues(new float[3]));
    }

    [Fact]
    public void Reading_a_non_float_tensor_is_MP1020()
    {
        var tensorProto = new TensorProto { Name = "i8", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(1, 2) };
        tensorProto.Dims.Add(2);
        var tensor = new WeightTensor("i8", tensorProto);

        var error = Assert.Throws<ModelPruneException>(() => tensor.ReadValues());

        Assert.Equal(DiagnosticCodes.UnsupportedWeightType, error.Diagnostic.Code);
        Assert.Equal("int8", tensor.ElementTypeName);
        Assert.False(tensor.IsFloatingPoint);
    }
}
