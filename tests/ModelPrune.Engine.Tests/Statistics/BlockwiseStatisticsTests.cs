using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Statistics;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>
/// Statistics collected block by block, each block by its own part of the model, must be exactly those of one pass over
/// the whole model, also when each block's weights are pruned before the next block is measured.
/// </summary>
public sealed class BlockwiseStatisticsTests
{
    public static TheoryData<string> Models => new() { "gemm-mlp", "matmul-mlp", "classifier", "shared-input", "grouped-conv", "masked", "llama", "llama-tied", "constant-and-if" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Blocks_of_one_activation_give_the_statistics_of_one_pass(string name)
    {
        var (model, batches, heldOut) = Load(name);
        using (batches)
        using (heldOut)
        {
            var weights = PrunableWeightFinder.Find(model);
            var paddingMask = PaddingMask.Find(model);
            var collector = new LayerStatisticsCollector();
            var whole = collector.Collect(model, weights, gram: true, batches.Batches, "model.onnx", paddingMask);
            var wholeHeldOut = collector.Collect(model, weights, gram: true, heldOut.Batches, "model.onnx", paddingMask);

            var blocks = new List<StatisticsBlock>();
            collector.CollectInBlocks(model, weights, gram: true, () => batches.Batches, () => heldOut.Batches, "model.onnx", paddingMask, budgetBytes: 1,
                block =>
                {
                    // Pruning a block as soon as it is measured must not reach the statistics of the blocks after it.
                    foreach (var layer in block.Fit.Layers)
                    {
                        var weight = weights.Single(w => w.Name == layer.WeightName);
                        weight.Tensor.WriteValues(new float[weight.Tensor.ElementCount]);
                    }

                    blocks.Add(block);
                });

            Assert.True(blocks.Count > 1 || whole.Layers.Select(l => l.WeightName).Distinct().Count() <= 1, $"{name}: one block only");
            AssertSame(whole, blocks.Select(b => b.Fit).ToList());
            AssertSame(wholeHeldOut, blocks.Select(b => b.HeldOut!).ToList());
            Assert.Equal(whole.Skipped, blocks[0].Fit.Skipped);
            Assert.All(blocks.Skip(1), b => Assert.Empty(b.Fit.Skipped));
        }
    }

    [Fact]
    public void Each_part_holds_only_the_weights_it_reads()
    {
        var (model, batches, heldOut) = Load("llama");
        using (batches)
        using (heldOut)
        {
            var weights = PrunableWeightFinder.Find(model);
            var requests = LayerInputLocator.Locate(model, weights).Supported.Select(l => new StatisticsRequest(l, Gram: true)).ToList();
            var slicer = new GraphSlicer(model, requests.Select(r => r.Layer.ActivationName));
            var blocks = StatisticsBlocks.Plan(model, requests, copies: 1, budgetBytes: 1);
            var carriedTypes = new Dictionary<string, int>(StringComparer.Ordinal);
            var ran = new List<string>();
            var weightBytes = new List<long>();
            for (var b = 0; b < blocks.Count; b++)
            {
                var later = blocks.Skip(b + 1).SelectMany(r => r).Select(r => r.Layer.ActivationName).ToHashSet(StringComparer.Ordinal);
                var slice = slicer.Next(StatisticsGraphBuilder.Build(model, blocks[b]), blocks[b].Select(r => r.Layer.WeightName), later, carriedTypes);
                ran.AddRange(slice.Model.Graph.Node.Select(n => n.Name).Where(n => !n.StartsWith("__modelprune_", StringComparison.Ordinal)));
                weightBytes.Add(slice.Model.Graph.Initializer.Where(t => weights.Any(w => w.Name == t.Name)).Sum(t => (long)t.Dims.Aggregate(1L, (x, y) => x * y)));
                foreach (var value in slice.CarriedOn) carriedTypes[value] = 1;
                Assert.DoesNotContain(slice.FromEarlier, v => !carriedTypes.ContainsKey(v));
            }

            // The logits no layer reads are never computed.
            Assert.DoesNotContain(ran, n => model.Graph.Node.Single(m => m.Name == n).Output.Contains("logits"));

            // Every node of the model that the statistics need runs exactly once, in graph order, and no part holds every weight.
            Assert.Equal(ran.Distinct().Count(), ran.Count);
            var order = model.Graph.Node.Select((n, i) => (n.Name, i)).ToDictionary(p => p.Name, p => p.i);
            Assert.True(blocks.Count >= 2 * LlamaConfig.Small.Layers, $"{blocks.Count} blocks");
            Assert.All(weightBytes, bytes => Assert.True(bytes < weights.Sum(w => w.Tensor.ElementCount) / 2, $"{bytes} weights in one part"));
            Assert.True(ran.Select(n => order[n]).Zip(ran.Select(n => order[n]).Skip(1)).Count(p => p.First > p.Second) <= blocks.Count, "parts run out of order");
        }
    }

    private static void AssertSame(LayerStatisticsResult whole, IReadOnlyList<LayerStatisticsResult> blocks)
    {
        var byName = blocks.SelectMany(b => b.Layers).ToDictionary(l => l.WeightName, StringComparer.Ordinal);
        Assert.Equal(whole.Layers.Select(l => l.WeightName).Order(), byName.Keys.Order());
        foreach (var layer in whole.Layers)
        {
            var block = byName[layer.WeightName];
            Assert.Equal(layer.Tokens, block.Tokens);
            Assert.Equal(layer.Groups, block.Groups);
            Assert.Equal(layer.NormsSquared, block.NormsSquared);
            Assert.Equal(layer.Gram, block.Gram);
        }

        Assert.All(blocks, b => Assert.Equal(whole.Batches, b.Batches));
    }

    private static (global::Onnx.ModelProto Model, CalibrationBatches Fit, CalibrationBatches HeldOut) Load(string name)
    {
        switch (name)
        {
            case "gemm-mlp":
                return (FixtureModels.GemmMlp(), CalibrationBatches.Random("input", 11, new long[] { 3, 16 }, new long[] { 7, 16 }), CalibrationBatches.Random("input", 12, new long[] { 5, 16 }));
            case "matmul-mlp":
                return (FixtureModels.MatMulMlp(), CalibrationBatches.Random("input", 12, new long[] { 4, 12 }, new long[] { 9, 12 }), CalibrationBatches.Random("input", 13, new long[] { 2, 12 }));
            case "classifier":
                var (pixels, _) = FixtureModels.ClassifierSampleData(40, seed: 3);
                return (FixtureModels.ClassifierSample(), CalibrationBatches.Slices("pixels", pixels, 64, 16, 8), CalibrationBatches.Slices("pixels", pixels.AsSpan(24 * 64).ToArray(), 64, 16));
            case "shared-input":
                return (StatisticsTestModels.SharedInputOpset18(), CalibrationBatches.Random("x", 18, new long[] { 2, 3, 6 }, new long[] { 1, 5, 6 }), CalibrationBatches.Random("x", 19, new long[] { 3, 1, 6 }));
            case "grouped-conv":
                return (StatisticsTestModels.GroupedStridedConv(), CalibrationBatches.Random("x", 20, new long[] { 2, 4, 7, 6 }, new long[] { 1, 4, 7, 6 }), CalibrationBatches.Random("x", 21, new long[] { 1, 4, 7, 6 }));
            case "constant-and-if":
                return (FixtureModels.ConstantAndIfModel(), CalibrationBatches.Random("input", 22, new long[] { 3, 8 }, new long[] { 2, 8 }), CalibrationBatches.Random("input", 23, new long[] { 2, 8 }));
            case "masked":
                return (StatisticsTestModels.MaskedSequence(), CalibrationBatches.WithMask("x", 24, 4, (2, 5), (3, 2)), CalibrationBatches.WithMask("x", 25, 4, (1, 4)));
            default:
                var config = name == "llama-tied" ? LlamaConfig.Small with { TiedEmbeddings = true } : LlamaConfig.Small;
                return (LlamaFixtures.Build(config), CalibrationBatches.Tokens("input_ids", 26, config.Vocabulary, (2, 8), (3, 8)), CalibrationBatches.Tokens("input_ids", 27, config.Vocabulary, (2, 8)));
        }
    }
}
