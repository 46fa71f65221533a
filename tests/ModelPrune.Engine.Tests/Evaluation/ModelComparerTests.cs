using ModelPrune.Engine.Tests.TestSupport;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class ModelComparerTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, long> NoOverrides = new Dictionary<string, long>();
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Identical_models_do_not_deviate()
    {
        var original = _folder.File("a.onnx");
        var copy = _folder.File("b.onnx");
        TestModels.WriteLinear(original, TestModels.LinearWeights());
        File.Copy(original, copy);

        var report = ModelComparer.Compare(original, copy, new EvaluationOptions(7, NoOverrides), "a.onnx");

        Assert.Equal("synthetic", report.InputKind);
        Assert.Equal(7, report.Seed);
        var output = Assert.Single(report.Outputs);
        Assert.Equal("y", output.Name);
        Assert.Equal("float32", output.ElementType);
        Assert.Equal(new long[] { 4, 3 }, output.Shape);
        Assert.Equal(0, output.RelativeL2);
        Assert.Equal(1, output.Cosine);
        Assert.Equal(0, output.MaxAbs);
        Assert.Equal(1, output.Top1Agreement);
    }

    [Fact]
    public void Perturbed_weight_matches_hand_computation()
    {
        var original = _folder.File("a.onnx");
        var pruned = _folder.File("b.onnx");
        var weights = TestModels.LinearWeights();
        var perturbed = (float[])weights.Clone();
        perturbed[(2 * TestModels.OutFeatures) + 1] = 0; // prune W[2, 1]
        TestModels.WriteLinear(original, weights);
        TestModels.WriteLinear(pruned, perturbed);
        const int seed = 11;

        var report = ModelComparer.Compare(original, pruned, new EvaluationOptions(seed, NoOverrides), "a.onnx");

        var x = SyntheticFloatInput(original, seed);
        Assert.Equal(4 * TestModels.InFeatures, x.Length);
        var y = MatMul(x, weights);
        var yPruned = MatMul(x, perturbed);
        double diff = 0, norm = 0, maxAbs = 0;
        for (var i = 0; i < y.Length; i++)
        {
            diff += (yPruned[i] - y[i]) * (yPruned[i] - y[i]);
            norm += y[i] * y[i];
            maxAbs = Math.Max(maxAbs, Math.Abs(yPruned[i] - y[i]));
        }

        var expected = Math.Sqrt(diff) / Math.Sqrt(norm);
        var output = Assert.Single(report.Outputs);
        Assert.True(output.RelativeL2 > 0);
        Assert.Equal(expected, output.RelativeL2, expected * 1e-4);
        Assert.Equal(maxAbs, output.MaxAbs, maxAbs * 1e-4);
        Assert.True(output.Cosine < 1 && output.Cosine > 0.5);
        Assert.NotNull(output.Top1Agreement);
    }

    [Fact]
    public void Same_seed_gives_same_report()
    {
        var original = _folder.File("a.onnx");
        var pruned = _folder.File("b.onnx");
        var perturbed = TestModels.LinearWeights();
        perturbed[0] = 0;
        TestModels.WriteLinear(original, TestModels.LinearWeights());
        TestModels.WriteLinear(pruned, perturbed);

        var first = ModelComparer.Compare(original, pruned, new EvaluationOptions(3, NoOverrides), "a.onnx");
        var second = ModelComparer.Compare(original, pruned, new EvaluationOptions(3, NoOverrides), "a.onnx");
        var otherSeed = ModelComparer.Compare(original, pruned, new EvaluationOptions(4, NoOverrides), "a.onnx");

        Assert.Equal(first.Outputs.Single(), second.Outputs.Single() with { Shape = first.Outputs.Single().Shape });
        Assert.Equal(first.Inputs.Single(), second.Inputs.Single() with { Shape = first.Inputs.Single().Shape });
        Assert.NotEqual(first.Outputs.Single().RelativeL2, otherSeed.Outputs.Single().RelativeL2);
    }

    [Fact]
    public void Symbolic_dimensions_use_defaults()
    {
        var model = _folder.File("a.onnx");
        TestModels.WriteEmbedding(model);

        var report = ModelComparer.Compare(model, model, new EvaluationOptions(1, NoOverrides), "a.onnx");

        Assert.Collection(
            report.Inputs,
            ids => Assert.Equal(new long[] { 4, 16 }, ids.Shape),
            mask => Assert.Equal(new long[] { 4, 16 }, mask.Shape));
        Assert.Equal(new long[] { 4, 16, TestModels.EmbeddingWidth }, report.Outputs[0].Shape);
    }

    [Fact]
    public void Overrides_apply_by_name_and_by_input_axis()
    {
        var model = _folder.File("a.onnx");
        TestModels.WriteEmbedding(model);
        var overrides = DimensionOverrideParser.Parse("batch=2; sequence=8", "a.onnx");

        var report = ModelComparer.Compare(model, model, new EvaluationOptions(1, overrides), "a.onnx");

        Assert.All(report.Inputs, input => Assert.Equal(new long[] { 2, 8 }, input.Shape));
        Assert.Equal(new long[] { 2, 8, TestModels.EmbeddingWidth }, report.Outputs[0].Shape);
        Assert.Equal(new long[] { 2, 8 }, report.Outputs[1].Shape);
    }

    [Fact]
    public void Unnamed_dimensions_use_default_or_input_axis_override()
    {
        var model = _folder.File("a.onnx");
        TestModels.WriteLinear(model, TestModels.LinearWeights(), batchDim: null);

        var byDefault = ModelComparer.Compare(model, model, new EvaluationOptions(1, NoOverrides), "a.onnx");
        var overridden = ModelComparer.Compare(model, model, new EvaluationOptions(1, DimensionOverrideParser.Parse("x:0=3", "a.onnx")), "a.onnx");

        Assert.Equal(new long[] { 4, TestModels.InFeatures }, byDefault.Inputs.Single().Shape);
        Assert.Equal(new long[] { 3, TestModels.InFeatures }, overridden.Inputs.Single().Shape);
        Assert.Equal(new long[] { 3, TestModels.OutFeatures }, overridden.Outputs.Single().Shape);
    }

    [Fact]
    public void Gather_indices_stay_in_range_and_other_integers_are_ones()
    {
        var model = _folder.File("a.onnx");
        TestModels.WriteEmbedding(model);
        // A long sequence makes an out-of-range id all but certain if the bound were ignored.
        var overrides = DimensionOverrideParser.Parse("batch=8,sequence=256", "a.onnx");

        var report = ModelComparer.Compare(model, model, new EvaluationOptions(5, overrides), "a.onnx");

        var ids = report.Inputs[0];
        Assert.Equal("ids", ids.Name);
        Assert.Equal("int64", ids.ElementType);
        Assert.Equal($"uniform[0,{TestModels.VocabularyRows})", ids.Values);
        var mask = report.Inputs[1];
        Assert.Equal("ones", mask.Values);
        Assert.All(report.Outputs, o => Assert.Equal(0, o.RelativeL2));
    }

    [Fact]
    public void Float_inputs_are_described_as_normal()
    {
        var model = _folder.File("a.onnx");
        TestModels.WriteLinear(model, TestModels.LinearWeights());

        var input = ModelComparer.Compare(model, model, new EvaluationOptions(1, NoOverrides), "a.onnx").Inputs.Single();

        Assert.Equal(new ModelPrune.Engine.Reporting.EvaluationInput("x", "float32", input.Shape, "normal(0,1)"), input);
    }

    [Fact]
    public void Initializers_listed_as_inputs_are_not_fed()
    {
        var model = _folder.File("a.onnx");
        TestModels.WriteLinear(model, TestModels.LinearWeights(), weightAlsoGraphInput: true);

        var report = ModelComparer.Compare(model, model, new EvaluationOptions(1, NoOverrides), "a.onnx");

        Assert.Equal("x", Assert.Single(report.Inputs).Name);
        Assert.Equal(0, report.Outputs.Single().RelativeL2);
    }

    [Fact]
    public void Unrunnable_original_is_MP1018()
    {
        var model = _folder.File("bad.onnx");
        TestModels.WriteUnknownOp(model);

        var error = Assert.Throws<ModelPruneException>(() => ModelComparer.Compare(model, model, new EvaluationOptions(1, NoOverrides), "Models/bad.onnx"));

        Assert.Equal(DiagnosticCodes.ModelNotRunnable, error.Diagnostic.Code);
        Assert.Equal("Models/bad.onnx", error.Diagnostic.File);
        Assert.Contains("DefinitelyNotAnOnnxOp", error.Message);
        Assert.DoesNotContain("pruned", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public void Unrunnable_pruned_model_is_MP1018_naming_the_pruned_model()
    {
        var original = _folder.File("a.onnx");
        var pruned = _folder.File("b.onnx");
        TestModels.WriteLinear(original, TestModels.LinearWeights());
        TestModels.WriteUnknownOp(pruned);

        var error = Assert.Throws<ModelPruneException>(() => ModelComparer.Compare(original, pruned, new EvaluationOptions(1, NoOverrides), "a.onnx"));

        Assert.Equal(DiagnosticCodes.ModelNotRunnable, error.Diagnostic.Code);
        Assert.Contains("pruned model", error.Message);
    }

    [Fact]
    public void Not_an_ONNX_file_is_MP1018()
    {
        var model = _folder.File("text.onnx");
        File.WriteAllText(model, "this is not protobuf at all");

        var error = Assert.Throws<ModelPruneException>(() => ModelComparer.Compare(model, model, new EvaluationOptions(1, NoOverrides), "text.onnx"));

        Assert.Equal(DiagnosticCodes.ModelNotRunnable, error.Diagnostic.Code);
    }

    /// <summary>The exact input ModelComparer feeds: made by the same internal synthesizer and seed.</summary>
    private static float[] SyntheticFloatInput(string model, int seed)
    {
        using var session = new InferenceSession(model);
        var inputs = InputSynthesizer.Create(session, new Dictionary<string, long>(), new EvaluationOptions(seed, NoOverrides), "a.onnx");
        try
        {
            return inputs.Single().Value.GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            inputs.ForEach(i => i.Value.Dispose());
        }
    }

    private static double[] MatMul(float[] x, float[] w)
    {
        var rows = x.Length / TestModels.InFeatures;
        var y = new double[rows * TestModels.OutFeatures];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < TestModels.OutFeatures; j++)
            {
                double sum = 0;
                for (var k = 0; k < TestModels.InFeatures; k++)
                {
                    sum += (double)x[(r * TestModels.InFeatures) + k] * w[(k * TestModels.OutFeatures) + j];
                }

                y[(r * TestModels.OutFeatures) + j] = sum;
            }
        }

        return y;
    }

    /// <summary>
    /// A search or sweep compares many candidates with one original on the same samples: with a memo the original
    /// runs once, and every report is the one a fresh comparison gives.
    /// </summary>
    [Fact]
    public void With_an_original_output_memo_the_original_runs_once_and_the_reports_are_unchanged()
    {
        var original = _folder.File("a.onnx");
        TestModels.WriteLinear(original, TestModels.LinearWeights());
        var candidates = Enumerable.Range(1, 3).Select(i =>
        {
            var path = _folder.File($"c{i}.onnx");
            TestModels.WriteLinear(path, TestModels.LinearWeights().Select((w, j) => j % (i + 1) == 0 ? 0f : w).ToArray());
            return path;
        }).ToArray();
        var values = Enumerable.Range(0, 10 * TestModels.InFeatures).Select(i => (float)Math.Sin(i)).ToArray();
        var data = new EvaluationData("eval.npz", "00", new ModelPrune.Engine.Calibration.CalibrationSet(
            new[] { new ModelPrune.Engine.Calibration.CalibrationArray("x", 1, new long[] { 10, TestModels.InFeatures }, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()) },
            10, "00", isSynthetic: false), EvaluationLabels.None);
        var samples = EvaluationSampleSet.From(data, fixedBatchSize: null)!;
        var memo = new OriginalOutputMemo();

        foreach (var candidate in candidates)
        {
            var remembered = ModelComparer.Compare(original, candidate, new EvaluationOptions(7, NoOverrides, Samples: samples, OriginalOutputs: memo), "a.onnx");
            var fresh = ModelComparer.Compare(original, candidate, new EvaluationOptions(7, NoOverrides, Samples: samples), "a.onnx");
            Assert.Equal(ModelPrune.Engine.Reporting.CanonicalJson.Serialize(fresh), ModelPrune.Engine.Reporting.CanonicalJson.Serialize(remembered));
        }

        Assert.Equal(1, memo.Runs);
    }
}
