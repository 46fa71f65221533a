using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class FixtureModelsTests
{
    public static TheoryData<string> SelfContainedFixtures => new(FixtureModels.SelfContained.Keys);

    [Theory]
    [MemberData(nameof(SelfContainedFixtures))]
    public void Every_fixture_runs_in_onnx_runtime_with_finite_outputs(string fileName)
    {
        using var folder = new TempFolder();
        var path = folder.File(fileName);
        File.WriteAllBytes(path, FixtureModels.Serialize(FixtureModels.SelfContained[fileName]()));

        var outputs = OrtModelRunner.Run(path);

        Assert.NotEmpty(outputs);
        Assert.All(outputs.Values, values =>
        {
            Assert.NotEmpty(values);
            Assert.All(values, v => Assert.True(float.IsFinite(v)));
        });
    }

    [Theory]
    [MemberData(nameof(SelfContainedFixtures))]
    public void Fixtures_are_byte_identical_on_every_build(string fileName)
    {
        var build = FixtureModels.SelfContained[fileName];

        Assert.Equal(FixtureModels.Serialize(build()), FixtureModels.Serialize(build()));
    }

    [Fact]
    public void Constant_and_if_model_takes_the_then_branch_for_positive_inputs_and_the_else_branch_otherwise()
    {
        using var folder = new TempFolder();
        var original = folder.File("constant_and_if.onnx");
        File.WriteAllBytes(original, FixtureModels.Serialize(FixtureModels.ConstantAndIfModel()));
        var model = FixtureModels.ConstantAndIfModel();
        var thenWeight = PrunableWeightFinder.Find(model).Single(w => w.Name == "W_then").Tensor;
        thenWeight.WriteValues(new float[thenWeight.ElementCount]);
        var withoutThenWeight = folder.File("without_then_weight.onnx");
        File.WriteAllBytes(withoutThenWeight, FixtureModels.Serialize(model));
        var thenBias = model.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == "then_branch").G
            .Node.Single(n => n.OpType == "Constant").Attribute[0].T;
        var bias = new WeightTensor("then_bias", thenBias).ReadValues();

        // With W_then zeroed the then-branch yields just its bias; the else-branch does not use W_then.
        Assert.Equal(Enumerable.Repeat(bias, OrtModelRunner.Batch).SelectMany(b => b), OrtModelRunner.Run(withoutThenWeight, shift: 5f)["output"]);
        Assert.NotEqual(OrtModelRunner.Run(original, shift: 5f)["output"], OrtModelRunner.Run(withoutThenWeight, shift: 5f)["output"]);
        Assert.Equal(OrtModelRunner.Run(original, shift: -5f)["output"], OrtModelRunner.Run(withoutThenWeight, shift: -5f)["output"]);
    }

    [Fact]
    public void The_samples_committed_model_and_evaluation_data_are_what_the_fixtures_write()
    {
        using var folder = new TempFolder();
        var evaluation = folder.File("classifier.eval.npz");
        FixtureModels.WriteClassifierEvaluationData(evaluation);
        var again = folder.File("again.npz");
        FixtureModels.WriteClassifierEvaluationData(again);
        var models = Path.Combine(RepositoryRoot.Path, "samples", "Classifier", "Models");

        Assert.Equal(File.ReadAllBytes(evaluation), File.ReadAllBytes(again));
        Assert.Equal(File.ReadAllBytes(evaluation), File.ReadAllBytes(Path.Combine(models, FixtureModels.ClassifierEvaluationFileName)));
        Assert.Equal(FixtureModels.Serialize(FixtureModels.ClassifierSample()), File.ReadAllBytes(Path.Combine(models, "classifier.onnx")));
        // The engine reads it as evaluation data: pixels for the model's input, labels beside them.
        var arrays = ModelPrune.Engine.Calibration.NpzReader.Read(evaluation);
        Assert.Equal(new[] { "labels", "pixels" }, arrays.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Classifier_sample_has_the_samples_interface_and_stays_small()
    {
        var bytes = FixtureModels.Serialize(FixtureModels.ClassifierSample());
        using var folder = new TempFolder();
        var path = folder.File("classifier.onnx");
        File.WriteAllBytes(path, bytes);

        var outputs = OrtModelRunner.Run(path);

        Assert.True(bytes.Length < 200 * 1024, $"{bytes.Length} bytes");
        Assert.Equal(OrtModelRunner.Batch * 10, outputs["scores"].Length);
        Assert.Equal("pixels", Assert.Single(FixtureModels.ClassifierSample().Graph.Input).Name);
    }

    [Fact]
    public void External_data_model_writes_a_model_and_its_weights_file()
    {
        using var folder = new TempFolder();

        FixtureModels.WriteExternalDataModel(folder.Path);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(folder.File(FixtureModels.ExternalModelFileName)));
        Assert.All(model.Graph.Initializer, t =>
        {
            Assert.Equal(TensorProto.Types.DataLocation.External, t.DataLocation);
            Assert.True(t.RawData.IsEmpty);
        });
        Assert.True(new FileInfo(folder.File(FixtureModels.ExternalWeightsFileName)).Length > 0);
    }

    [Fact]
    public void WriteAll_writes_every_fixture()
    {
        using var folder = new TempFolder();

        FixtureModels.WriteAll(folder.Path);

        var written = FixtureModels.SelfContained.Keys
            .Append(FixtureModels.ExternalModelFileName)
            .Append(FixtureModels.ExternalWeightsFileName)
            .Append(FixtureModels.ClassifierEvaluationFileName)
            .Append(StructuredFixtures.DigitCnnFileName)
            .Append(StructuredFixtures.DigitCnnCalibrationFileName)
            .Append(StructuredFixtures.DigitCnnEvaluationFileName);
        foreach (var fileName in written)
        {
            Assert.True(File.Exists(folder.File(fileName)), fileName);
        }
    }
}
