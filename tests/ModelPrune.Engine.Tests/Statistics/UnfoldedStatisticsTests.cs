using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Statistics;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>
/// Statistics of inputs that are not a plain [tokens, features] view: Conv patches (checked against im2col
/// written out from the Conv definition) and Gemm operands stored [features, tokens].
/// </summary>
public sealed class UnfoldedStatisticsTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Padded_convolutions_match_Im2col()
    {
        var model = FixtureModels.SmallCnn();
        using var batches = CalibrationBatches.Random("input", 21, new long[] { 2, 4, 8, 8 }, new long[] { 3, 4, 8, 8 });

        var result = Collect(model, batches);

        var conv1 = new ConvPatches(1, 4, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8);
        var conv2 = new ConvPatches(1, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8);
        AssertMatches(result.Single(l => l.WeightName == "conv1.weight"), conv1, batches.Data, new[] { 2, 3 }, 8, 8);
        AssertMatches(result.Single(l => l.WeightName == "conv2.weight"), conv2, Fetch(model, "r1", batches), new[] { 2, 3 }, 8, 8);
    }

    [Fact]
    public void Grouped_strided_dilated_and_auto_padded_convolutions_match_Im2col_per_group()
    {
        var model = StatisticsTestModels.GroupedStridedConv();
        using var batches = CalibrationBatches.Random("x", 22, new long[] { 2, 4, 7, 6 }, new long[] { 1, 4, 7, 6 });

        var result = Collect(model, batches);

        var grouped = new ConvPatches(2, 4, 3, 2, 2, 1, 1, 0, 1, 2, 4, 5);
        // SAME_UPPER with a 3×3 kernel and stride 1 pads one on each side.
        var depthwise = new ConvPatches(6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 4, 5);
        AssertMatches(result.Single(l => l.WeightName == "Wg"), grouped, batches.Data, new[] { 2, 1 }, 7, 6);
        AssertMatches(result.Single(l => l.WeightName == "Wd"), depthwise, Fetch(model, "r1", batches), new[] { 2, 1 }, 4, 5);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gemm_operands_stored_features_first_are_measured_as_rows(bool transA)
    {
        var model = transA ? StatisticsTestModels.GemmTransA() : StatisticsTestModels.WeightFirstGemm();
        using var batches = CalibrationBatches.Random("x", 23, new long[] { 4, 5 }, new long[] { 4, 2 });

        var layer = Assert.Single(Collect(model, batches));

        var reference = new ReferenceStatistics(4);
        foreach (var data in batches.Data)
        {
            var tokens = data.Length / 4;
            reference.Add(Enumerable.Range(0, data.Length).Select(i => data[(i % 4 * tokens) + (i / 4)]).ToArray());
        }

        Assert.Equal(7, layer.Tokens);
        AssertClose(reference.NormsSquared, layer.NormsSquared);
        AssertClose(reference.Gram, layer.Gram!);
    }

    private static IReadOnlyList<LayerStatistics> Collect(global::Onnx.ModelProto model, CalibrationBatches batches)
    {
        var result = new LayerStatisticsCollector().Collect(model, PrunableWeightFinder.Find(model), gram: true, batches.Batches, "model.onnx");
        Assert.Empty(result.Skipped);
        return result.Layers;
    }

    private static void AssertMatches(LayerStatistics layer, ConvPatches patches, IReadOnlyList<float[]> inputs, int[] samples, int height, int width)
    {
        Assert.Equal(patches.Groups, layer.Groups);
        Assert.Equal(patches.PatchSize, layer.Features);
        var references = Enumerable.Range(0, patches.Groups).Select(_ => new ReferenceStatistics(patches.PatchSize)).ToArray();
        for (var b = 0; b < inputs.Count; b++)
        {
            var unfolded = patches.Unfold(inputs[b], samples[b], height, width);
            for (var g = 0; g < patches.Groups; g++) references[g].Add(unfolded[g]);
        }

        var d = patches.PatchSize;
        for (var g = 0; g < patches.Groups; g++)
        {
            Assert.Equal(references[g].Tokens, layer.Tokens);
            AssertClose(references[g].NormsSquared, layer.NormsSquared.AsSpan(g * d, d).ToArray());
            AssertClose(references[g].Gram, layer.Gram!.AsSpan(g * d * d, d * d).ToArray());
        }
    }

    /// <summary>The values of an intermediate tensor, one array per batch.</summary>
    private static List<float[]> Fetch(global::Onnx.ModelProto model, string name, CalibrationBatches batches)
    {
        var copy = model.Clone();
        copy.Graph.Output.Clear();
        copy.Graph.Output.Add(new global::Onnx.ValueInfoProto { Name = name });
        using var session = new InferenceSession(copy.ToByteArray());
        using var runOptions = new RunOptions();
        var values = new List<float[]>();
        foreach (var batch in batches.Batches)
        {
            using var outputs = session.Run(runOptions, batch.Keys.ToArray(), batch.Values.ToArray(), new[] { name });
            values.Add(outputs[0].GetTensorDataAsSpan<float>().ToArray());
        }

        return values;
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        Assert.True(scale > 1e-6, "the reference statistics are all zero, which would make the comparison vacuous");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * scale, $"entry {i}: expected {expected[i]}, got {actual[i]} (scale {scale})");
        }
    }
}
