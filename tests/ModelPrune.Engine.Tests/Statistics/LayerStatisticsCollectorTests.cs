using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Statistics;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Statistics;

public sealed class LayerStatisticsCollectorTests
{
    private const double Tolerance = 1e-4;

    // ORT's CPU provider computes float16 MatMul/Add/Relu in float internally; a hidden activation fed
    // to the statistics' Cast keeps that precision (measured: the first layer, whose input is a real
    // float16 Cast, matches to 1e-7), while the fetched reference is rounded to float16 (step 2^-11).
    private const double Float16Tolerance = 2e-3;

    [Fact]
    public void GemmMlp_matches_the_activations_and_leaves_the_model_unchanged()
    {
        var model = FixtureModels.GemmMlp();
        var before = model.ToByteArray();
        using var batches = CalibrationBatches.Random("input", 11, new long[] { 3, 16 }, new long[] { 7, 16 }, new long[] { 5, 16 });

        var result = CollectAndCompare(model, batches, expectedTokens: 15);

        Assert.Equal(before, model.ToByteArray());
        Assert.Equal(new[] { "W1", "W2", "W3" }, result.Layers.Select(l => l.WeightName));
        Assert.Equal(new[] { 16, 32, 24 }, result.Layers.Select(l => l.Features));
        Assert.Empty(result.Skipped);
        Assert.Equal(3, result.Batches);
        Assert.Equal("cpu", result.Device);
    }

    [Fact]
    public void MatMulMlp_lists_the_weight_first_MatMul_as_skipped()
    {
        var model = FixtureModels.MatMulMlp();
        var before = model.ToByteArray();
        using var batches = CalibrationBatches.Random("input", 12, new long[] { 4, 12 }, new long[] { 9, 12 });

        var result = CollectAndCompare(model, batches, expectedTokens: 13);

        Assert.Equal(before, model.ToByteArray());
        Assert.Equal(new[] { "W1", "W_shared" }, result.Layers.Select(l => l.WeightName));
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal("W_out", skipped.WeightName);
        Assert.Contains("first operand", skipped.Reason);
        Assert.Contains("matmul2", result.Notes["W_shared"]);
    }

    [Fact]
    public void ClassifierSample_matches_on_realistic_inputs()
    {
        var model = FixtureModels.ClassifierSample();
        var before = model.ToByteArray();
        var (pixels, _) = FixtureModels.ClassifierSampleData(40, seed: 3);
        using var batches = CalibrationBatches.Slices("pixels", pixels, 64, 16, 8, 16);

        var result = CollectAndCompare(model, batches, expectedTokens: 40);

        Assert.Equal(before, model.ToByteArray());
        Assert.Equal(new[] { 64, 128, 64 }, result.Layers.Select(l => l.Features));
    }

    [Fact]
    public void Opset_18_model_with_three_dimensional_activations_and_a_shared_input()
    {
        var model = StatisticsTestModels.SharedInputOpset18();
        using var batches = CalibrationBatches.Random("x", 18, new long[] { 2, 3, 6 }, new long[] { 1, 5, 6 }, new long[] { 3, 1, 6 });

        var result = CollectAndCompare(model, batches, expectedTokens: 14);

        Assert.Equal(new[] { "Wq", "Wk", "W2" }, result.Layers.Select(l => l.WeightName));
        Assert.Equal(result.Layers[0].NormsSquared, result.Layers[1].NormsSquared);
        Assert.NotSame(result.Layers[0].NormsSquared, result.Layers[1].NormsSquared);
        Assert.NotSame(result.Layers[0].Gram, result.Layers[1].Gram);
    }

    [Fact]
    public void Float16_activations_are_measured_in_float()
    {
        var model = FixtureModels.Float16Mlp();
        using var batches = CalibrationBatches.Random("input", 16, new long[] { 6, 16 }, new long[] { 2, 16 });

        var result = CollectAndCompare(model, batches, expectedTokens: 8, Float16Tolerance);

        Assert.Equal(new[] { "W1", "W2" }, result.Layers.Select(l => l.WeightName));
    }

    [Fact]
    public void Without_Gram_only_the_norms_come_back()
    {
        var model = FixtureModels.GemmMlp();
        using var batches = CalibrationBatches.Random("input", 5, new long[] { 4, 16 });

        var result = new LayerStatisticsCollector().Collect(model, PrunableWeightFinder.Find(model), gram: false, batches.Batches, "gemm_mlp.onnx");

        Assert.All(result.Layers, l => Assert.Null(l.Gram));
        Assert.All(result.Layers, l => Assert.Equal(4, l.Tokens));
        var reference = ActivationCapture.Compute(model, new Dictionary<string, int> { ["a1"] = 32 }, batches)["a1"];
        AssertClose(reference.NormsSquared, result.Layers[1].NormsSquared);
    }

    [Fact]
    public void The_device_seam_configures_the_session_and_names_the_result()
    {
        var model = FixtureModels.GemmMlp();
        using var batches = CalibrationBatches.Random("input", 6, new long[] { 2, 16 });
        var configured = 0;
        var device = new ExecutionDevice("test-cpu", _ => configured++);

        var result = new LayerStatisticsCollector(device).Collect(model, PrunableWeightFinder.Find(model), gram: false, batches.Batches, "gemm_mlp.onnx");

        Assert.Equal(1, configured);
        Assert.Equal("test-cpu", result.Device);
    }

    [Fact]
    public void An_onnx_runtime_failure_is_a_coded_error_naming_the_file()
    {
        var model = FixtureModels.GemmMlp();
        using var batches = CalibrationBatches.Random("wrong_name", 7, new long[] { 2, 16 });

        var error = Assert.Throws<ModelPruneException>(() =>
            new LayerStatisticsCollector().Collect(model, PrunableWeightFinder.Find(model), gram: true, batches.Batches, "models/gemm_mlp.onnx"));

        Assert.Equal(DiagnosticCodes.ModelNotRunnable, error.Diagnostic.Code);
        Assert.Equal("models/gemm_mlp.onnx", error.Diagnostic.File);
        Assert.Contains("wrong_name", error.Message);
    }

    [Fact]
    public void An_empty_calibration_set_is_a_coded_error()
    {
        var model = FixtureModels.GemmMlp();

        var error = Assert.Throws<ModelPruneException>(() =>
            new LayerStatisticsCollector().Collect(model, PrunableWeightFinder.Find(model), gram: false, Array.Empty<IReadOnlyDictionary<string, OrtValue>>(), "gemm_mlp.onnx"));

        Assert.Equal(DiagnosticCodes.InvalidRequest, error.Diagnostic.Code);
    }

    [Fact]
    public void A_model_with_nothing_measurable_needs_no_session()
    {
        var model = FixtureModels.LstmModel();

        var result = new LayerStatisticsCollector().Collect(model, PrunableWeightFinder.Find(model), gram: true, Array.Empty<IReadOnlyDictionary<string, OrtValue>>(), "lstm.onnx");

        Assert.Empty(result.Layers);
        Assert.Equal(2, result.Skipped.Count);
    }

    private static LayerStatisticsResult CollectAndCompare(global::Onnx.ModelProto model, CalibrationBatches batches, long expectedTokens, double tolerance = Tolerance)
    {
        var weights = PrunableWeightFinder.Find(model);
        var result = new LayerStatisticsCollector().Collect(model, weights, gram: true, batches.Batches, "model.onnx");

        var located = LayerInputLocator.Locate(model, weights).Supported.ToDictionary(l => l.WeightName);
        var references = ActivationCapture.Compute(
            model,
            located.Values.GroupBy(l => l.ActivationName).ToDictionary(g => g.Key, g => g.First().Features),
            batches);
        Assert.NotEmpty(result.Layers);
        foreach (var layer in result.Layers)
        {
            var reference = references[located[layer.WeightName].ActivationName];
            Assert.Equal(expectedTokens, layer.Tokens);
            Assert.Equal(reference.Tokens, layer.Tokens);
            Assert.Equal(reference.Features, layer.Features);
            AssertClose(reference.NormsSquared, layer.NormsSquared, tolerance);
            Assert.NotNull(layer.Gram);
            AssertClose(reference.Gram, layer.Gram!, tolerance);
        }

        return result;
    }

    /// <summary>
    /// ORT sums in float32 and the reference in double, so entries are compared relative to the largest
    /// one: a near-zero Gram entry is a difference of large products and has no relative precision of its own.
    /// </summary>
    private static void AssertClose(double[] expected, double[] actual, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(expected.Max(Math.Abs), 1e-30);
        Assert.True(scale > 1e-6, "the reference statistics are all zero, which would make the comparison vacuous");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"entry {i}: expected {expected[i]}, got {actual[i]} (scale {scale})");
        }
    }
}
