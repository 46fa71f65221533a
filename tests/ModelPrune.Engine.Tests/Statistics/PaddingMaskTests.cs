using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Engine.Statistics;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Statistics;

public sealed class PaddingMaskTests
{
    [Fact]
    public void Padded_positions_of_sequence_activations_are_left_out_and_pooled_ones_are_untouched()
    {
        var model = StatisticsTestModels.MaskedSequence();
        var random = new Random(31);
        var shapes = new[] { (Batch: 2, Seq: 5), (Batch: 3, Seq: 4) };
        var x = shapes.Select(s => Enumerable.Range(0, s.Batch * s.Seq * 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        // Every sample keeps a prefix of its positions, as tokenizers pad at the end.
        var masks = shapes.Select(s => Enumerable.Range(0, s.Batch * s.Seq).Select(i => i % s.Seq < 2 + (i / s.Seq) ? 1L : 0L).ToArray()).ToArray();
        var values = new List<OrtValue>();
        var batches = new List<IReadOnlyDictionary<string, OrtValue>>();
        for (var b = 0; b < shapes.Length; b++)
        {
            var xValue = OrtValue.CreateTensorValueFromMemory(x[b], new long[] { shapes[b].Batch, shapes[b].Seq, 4 });
            var maskValue = OrtValue.CreateTensorValueFromMemory(masks[b], new long[] { shapes[b].Batch, shapes[b].Seq });
            values.Add(xValue);
            values.Add(maskValue);
            batches.Add(new Dictionary<string, OrtValue> { ["x"] = xValue, ["attention_mask"] = maskValue });
        }

        try
        {
            Assert.Equal("attention_mask", PaddingMask.Find(model));
            var result = new LayerStatisticsCollector().Collect(model, PrunableWeightFinder.Find(model), gram: true, batches, "masked.onnx", "attention_mask");

            var sequence = new ReferenceStatistics(4);
            var pooled = new ReferenceStatistics(4);
            for (var b = 0; b < shapes.Length; b++)
            {
                var (batch, seq) = shapes[b];
                sequence.Add(Enumerable.Range(0, batch * seq).Where(t => masks[b][t] == 1).SelectMany(t => x[b].Skip(t * 4).Take(4)).ToArray());
                // ReduceMean over every position, padded ones included: the model's own computation.
                pooled.Add(Enumerable.Range(0, batch).SelectMany(n => Enumerable.Range(0, 4)
                    .Select(f => Enumerable.Range(0, seq).Average(p => x[b][(((n * seq) + p) * 4) + f]))).Select(v => (float)v).ToArray());
            }

            var seqLayer = result.Layers.Single(l => l.WeightName == "Wseq");
            var poolLayer = result.Layers.Single(l => l.WeightName == "Wpool");
            Assert.Equal(masks.Sum(m => m.Sum()), seqLayer.Tokens);
            Assert.Equal(sequence.Tokens, seqLayer.Tokens);
            AssertClose(sequence.NormsSquared, seqLayer.NormsSquared);
            AssertClose(sequence.Gram, seqLayer.Gram!);
            Assert.Equal(5, poolLayer.Tokens);
            AssertClose(pooled.NormsSquared, poolLayer.NormsSquared);
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    [Fact]
    public void The_report_names_the_padding_mask_and_counts_only_real_tokens()
    {
        using var folder = new TempFolder();
        var model = ModelFiles.Write(folder, "masked.onnx", StatisticsTestModels.MaskedSequence());
        var random = new Random(32);
        const int samples = 10, seq = 6;
        var x = Enumerable.Range(0, samples * seq * 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var mask = Enumerable.Range(0, samples * seq).Select(i => i % seq < 3 ? 1L : 0L).ToArray();
        var calibration = folder.File("calibration.npz");
        NumpyFiles.WriteNpz(calibration, false, ("x", NpyTestArray.Float32(x, samples, seq, 4)), ("attention_mask", NpyTestArray.Int64(mask, samples, seq)));

        var (exitCode, text) = EngineCli.Run("prune", model, "--method", "wanda", "--calibration", calibration, "-o", folder.File("out/masked.onnx"), "--no-cache");

        Assert.True(exitCode == 0, text);
        var report = JsonDocument.Parse(File.ReadAllBytes(folder.File("out/masked.prune.json"))).RootElement;
        Assert.Equal("attention_mask", report.GetProperty("settings").GetProperty("calibration").GetProperty("paddingMask").GetString());
        var tokens = report.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("calibrationTokens").GetInt64());
        // 8 fitted samples (2 held out): 3 real positions each for the sequence layer, one pooled row each for the head.
        Assert.Equal(8 * 3, tokens["Wseq"]);
        Assert.Equal(8, tokens["Wpool"]);
    }

    [Fact]
    public void Only_a_rank_two_attention_mask_input_in_opset_11_or_later_counts()
    {
        Assert.Equal("attention_mask", PaddingMask.Find(StatisticsTestModels.MaskedSequence()));
        Assert.Null(PaddingMask.Find(FixtureModels.GemmMlp()));
        var old = StatisticsTestModels.MaskedSequence();
        old.OpsetImport[0].Version = 10;
        Assert.Null(PaddingMask.Find(old));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * scale, $"entry {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
