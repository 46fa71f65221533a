using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Tests.TestSupport;

namespace ModelPrune.Engine.Tests.Evaluation;

/// <summary>
/// The evaluation compares the models batch by batch, with the original's outputs spilled to a temporary file in
/// between: every metric must come out the same to the bit as over all samples at once, whatever the batches.
/// </summary>
public sealed class StreamingEvaluationTests : IDisposable
{
    /// <summary>Uneven on purpose: a batch of one sample, and batches of different sizes.</summary>
    private static readonly int[] UnevenBatches = { 3, 1, 4 };

    private const int Samples = 8;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Classification_with_labels_streams_bit_identically()
    {
        var (original, pruned) = Scores(Samples * 6, seed: 1);
        var labels = new LabelArray("labels", new long[] { Samples }, new long[] { 0, 5, -100, 2, 3, 1, 4, 0 });

        var (whole, streamed) = Both(original, pruned, new long[] { 6 }, EvaluationTask.Auto, labels);

        Assert.Equal(EvaluationTaskNames.ToName(EvaluationTask.Classification), streamed.Task);
        Assert.NotNull(streamed.AccuracyPruned);
        AssertSame(whole, streamed);
    }

    [Fact]
    public void Token_classification_of_probabilities_streams_bit_identically()
    {
        var (original, pruned) = Scores(Samples * 5 * 4, seed: 2);
        original = SoftmaxRows(original, 4);
        pruned = SoftmaxRows(pruned, 4);
        var labels = new LabelArray("labels", new long[] { Samples, 5 }, Enumerable.Range(0, Samples * 5).Select(i => i % 7 == 0 ? -100L : i % 4).ToArray());

        var (whole, streamed) = Both(original, pruned, new long[] { 5, 4 }, EvaluationTask.Auto, labels);

        Assert.Equal(EvaluationTaskNames.ToName(EvaluationTask.TokenClassification), streamed.Task);
        AssertSame(whole, streamed);
    }

    [Fact]
    public void Probability_rows_must_hold_in_every_batch()
    {
        var (original, pruned) = Scores(Samples * 5 * 4, seed: 3);
        original = SoftmaxRows(original, 4);
        // The last sample's (last batch's) first row no longer sums to 1: the output is not probabilities.
        original[(Samples - 1) * 20] += 0.5f;

        var (whole, streamed) = Both(original, pruned, new long[] { 5, 4 }, EvaluationTask.Auto, labels: null);

        Assert.Equal(EvaluationTaskNames.ToName(EvaluationTask.Embedding), streamed.Task);
        AssertSame(whole, streamed);
    }

    [Fact]
    public void Language_model_streams_bit_identically()
    {
        var (original, pruned) = Scores(Samples * 5 * 11, seed: 4);
        var labels = new LabelArray("labels", new long[] { Samples, 5 }, Enumerable.Range(0, Samples * 5).Select(i => i % 5 == 4 ? -100L : (i * 3) % 11).ToArray());

        var (whole, streamed) = Both(original, pruned, new long[] { 5, 11 }, EvaluationTask.Auto, labels);

        Assert.Equal(EvaluationTaskNames.ToName(EvaluationTask.LanguageModel), streamed.Task);
        Assert.NotNull(streamed.PerplexityPruned);
        AssertSame(whole, streamed);
    }

    [Fact]
    public void Pooled_embeddings_with_a_padding_mask_stream_bit_identically()
    {
        var (original, pruned) = Scores(Samples * 5 * 6, seed: 5);
        var maskValues = Enumerable.Range(0, Samples * 5).Select(i => i % 5 < 2 + (i / 5 % 3) ? 1.0 : 0.0).ToArray();
        var mask = new CapturedOutput("attention_mask", TensorElementType.Int64, new long[] { Samples, 5 }, maskValues, null);

        var (whole, streamed) = Both(original, pruned, new long[] { 5, 6 }, EvaluationTask.Auto, labels: null, mask);

        Assert.Equal(EvaluationTaskNames.ToName(EvaluationTask.Embedding), streamed.Task);
        Assert.Contains("attention_mask", streamed.TaskReason);
        Assert.NotNull(streamed.NeighbourAgreement);
        AssertSame(whole, streamed);
    }

    [Fact]
    public void Item_embeddings_stream_bit_identically()
    {
        var (original, pruned) = Scores(Samples * 40, seed: 6);

        var (whole, streamed) = Both(original, pruned, new long[] { 40 }, EvaluationTask.Auto, labels: null);

        Assert.Equal(EvaluationTaskNames.ToName(EvaluationTask.Embedding), streamed.Task);
        AssertSame(whole, streamed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Generic_deviation_streams_bit_identically(bool requested)
    {
        var task = requested ? EvaluationTask.Regression : EvaluationTask.Auto;
        var (original, pruned) = Scores(Samples * 3 * 2 * 2, seed: 7);

        var (whole, streamed) = Both(original, pruned, new long[] { 3, 2, 2 }, task, labels: null);

        Assert.Equal(EvaluationTaskNames.Regression, streamed.Task);
        AssertSame(whole, streamed);
    }

    [Fact]
    public void Deviation_with_argmax_agreement_and_non_finite_values_streams_bit_identically()
    {
        var (original, pruned) = Scores(Samples * 3, seed: 8);
        var whole = DeviationMetrics.Compare(Whole(original, new long[] { 3 }), Whole(pruned, new long[] { 3 }));
        var streamed = StreamDeviation(original, pruned, new long[] { 3 });
        Assert.NotNull(streamed.Top1Agreement);
        AssertSame(whole, streamed);

        pruned[10] = float.NaN;
        var mismatched = StreamDeviation(original, pruned, new long[] { 3 });
        Assert.Equal(DeviationMetrics.Unbounded, mismatched.RelativeL2);
        AssertSame(DeviationMetrics.Compare(Whole(original, new long[] { 3 }), Whole(pruned, new long[] { 3 })), mismatched);
    }

    [Fact]
    public void String_outputs_stream_as_the_share_of_changed_elements()
    {
        var before = new[] { "a", "b", "c", "d", "e" };
        var after = new[] { "a", "x", "c", "d", "y" };
        var deviation = new DeviationAccumulator("s", TensorElementType.String, new long[] { 5 });
        deviation.Add(StringBatch(before[..2]), StringBatch(after[..2]));
        deviation.Add(StringBatch(before[2..]), StringBatch(after[2..]));

        var whole = DeviationMetrics.Compare(StringBatch(before), StringBatch(after));

        AssertSame(whole, deviation.Result());
        Assert.Equal(0.4, whole.RelativeL2);
    }

    [Fact]
    public void A_scalar_output_joins_to_one_value_per_batch()
    {
        Assert.Equal(new long[] { 3 }, BatchShapes.Joined(new[] { Array.Empty<long>(), Array.Empty<long>(), Array.Empty<long>() }));
        Assert.Equal(new long[] { 8, 5 }, BatchShapes.Joined(new[] { new long[] { 3, 5 }, new long[] { 1, 5 }, new long[] { 4, 5 } }));
        Assert.Equal(Array.Empty<long>(), BatchShapes.Joined(new[] { Array.Empty<long>() }));
    }

    [Fact]
    public void The_store_reads_back_what_it_spilled_and_removes_its_folder()
    {
        var temporary = _folder.File("tmp");
        var (values, _) = Scores(Samples * 6, seed: 9);
        var store = new OriginalOutputStore(new[] { "out" }, temporary, inMemoryLimitBytes: 0);
        AddBatches(store, values, new long[] { 6 });

        Assert.NotNull(store.Folder);
        Assert.True(Directory.Exists(store.Folder));
        Assert.Equal(UnevenBatches.Length, store.BatchCount);
        var readBack = Enumerable.Range(0, store.BatchCount).SelectMany(b => store.Read(b)[0].Values).ToArray();
        Assert.Equal(values.Select(v => (double)v), readBack);
        Assert.Equal(new long[] { Samples, 6 }, store.Summaries[0].Shape);

        store.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
    }

    [Fact]
    public void An_interrupt_removes_the_spill_folder()
    {
        var temporary = _folder.File("tmp");
        var (values, _) = Scores(Samples * 6, seed: 12);
        using var store = new OriginalOutputStore(new[] { "out" }, temporary, inMemoryLimitBytes: 0);
        AddBatches(store, values, new long[] { 6 });
        Assert.True(Directory.Exists(store.Folder));

        // What the SIGINT/SIGTERM handler does, for this test's folder only.
        ModelPrune.Engine.Common.StagingRegistry.RemoveAll(under: temporary);

        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
    }

    [Fact]
    public void Small_outputs_stay_in_memory()
    {
        var temporary = _folder.File("tmp");
        var (values, _) = Scores(Samples * 6, seed: 10);
        using var store = new OriginalOutputStore(new[] { "out" }, temporary);
        AddBatches(store, values, new long[] { 6 });

        Assert.Null(store.Folder);
        Assert.False(Directory.Exists(temporary));
        Assert.Equal(values.Select(v => (double)v), Enumerable.Range(0, store.BatchCount).SelectMany(b => store.Read(b)[0].Values));
    }

    [Fact]
    public void The_memo_removes_the_outputs_it_replaces_and_those_it_holds_when_disposed()
    {
        var temporary = _folder.File("tmp");
        var (values, _) = Scores(Samples * 6, seed: 11);
        var first = new OriginalOutputStore(new[] { "out" }, temporary, inMemoryLimitBytes: 0);
        var second = new OriginalOutputStore(new[] { "out" }, temporary, inMemoryLimitBytes: 0);
        AddBatches(first, values, new long[] { 6 });
        AddBatches(second, values, new long[] { 6 });
        var memo = new OriginalOutputMemo();

        memo.Remember("a.onnx", first);
        memo.Remember("b.onnx", second);

        Assert.False(Directory.Exists(first.Folder));
        Assert.True(Directory.Exists(second.Folder));
        Assert.Same(second, memo.Find("b.onnx"));
        Assert.Null(memo.Find("a.onnx"));

        memo.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
        Assert.Null(memo.Find("b.onnx"));
    }

    /// <summary>
    /// ids [2, 2000] → embeddings [2, 2000, 5]: 80 000 bytes of float32, more than stays in memory, so the original's
    /// outputs go to a file in the temporary folder.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, long> LargeSequence = new Dictionary<string, long> { ["batch"] = 2, ["sequence"] = 2000 };

    [Fact]
    public void The_spill_folder_is_gone_after_a_comparison()
    {
        var model = _folder.File("embedding.onnx");
        TestModels.WriteEmbedding(model);
        var temporary = _folder.File("tmp");

        var report = ModelComparer.Compare(model, model, new EvaluationOptions(7, LargeSequence, TemporaryFolder: temporary), "embedding.onnx");

        Assert.Equal(0, report.Outputs[0].RelativeL2);
        // The folder that held the spill was created under it, and removed.
        Assert.True(Directory.Exists(temporary));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
    }

    [Fact]
    public void The_spill_folder_is_gone_after_the_pruned_model_fails()
    {
        var model = _folder.File("embedding.onnx");
        var broken = _folder.File("broken.onnx");
        TestModels.WriteEmbedding(model);
        TestModels.WriteUnknownOp(broken);
        var temporary = _folder.File("tmp");

        Assert.Throws<ModelPruneException>(() => ModelComparer.Compare(model, broken, new EvaluationOptions(7, LargeSequence, TemporaryFolder: temporary), "embedding.onnx"));

        Assert.True(Directory.Exists(temporary));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
    }

    /// <summary>The output judged whole, and judged batch by batch with the original spilled and read back.</summary>
    private (OutputDeviation Whole, OutputDeviation Streamed) Both(float[] original, float[] pruned, long[] perSample, EvaluationTask task, LabelArray? labels, CapturedOutput? mask = null)
    {
        var whole = TaskEvaluator.Evaluate(Whole(original, perSample), Whole(pruned, perSample), task, labels, mask, "model.onnx");

        using var store = new OriginalOutputStore(new[] { "out" }, _folder.File("tmp"), inMemoryLimitBytes: 0);
        AddBatches(store, original, perSample);
        var evaluation = OutputEvaluation.Begin(store.Summaries[0], task, labels, mask, "model.onnx");
        foreach (var (batch, index) in Batches(pruned, perSample).Select((b, i) => (b, i)))
        {
            evaluation.Add(store.Read(index)[0], batch);
        }

        return (whole, evaluation.Finish());
    }

    private static OutputDeviation StreamDeviation(float[] original, float[] pruned, long[] perSample)
    {
        var deviation = new DeviationAccumulator("out", TensorElementType.Float, new long[] { Samples }.Concat(perSample).ToArray());
        foreach (var (before, after) in Batches(original, perSample).Zip(Batches(pruned, perSample)))
        {
            deviation.Add(before, after);
        }

        return deviation.Result();
    }

    private static void AddBatches(OriginalOutputStore store, float[] values, long[] perSample)
    {
        var width = (int)perSample.Aggregate(1L, (p, d) => p * d);
        var start = 0;
        foreach (var size in UnevenBatches)
        {
            var shape = new long[] { size }.Concat(perSample).ToArray();
            using var value = OrtValue.CreateTensorValueFromMemory(values[(start * width)..((start + size) * width)], shape);
            store.Add(new[] { OutputCapture.Capture("out", value)! }, new[] { value });
            start += size;
        }
    }

    private static IEnumerable<CapturedOutput> Batches(float[] values, long[] perSample)
    {
        var width = (int)perSample.Aggregate(1L, (p, d) => p * d);
        var start = 0;
        foreach (var size in UnevenBatches)
        {
            var shape = new long[] { size }.Concat(perSample).ToArray();
            yield return new CapturedOutput("out", TensorElementType.Float, shape, values[(start * width)..((start + size) * width)].Select(v => (double)v).ToArray(), null);
            start += size;
        }
    }

    private static CapturedOutput Whole(float[] values, long[] perSample) =>
        new("out", TensorElementType.Float, new long[] { Samples }.Concat(perSample).ToArray(), values.Select(v => (double)v).ToArray(), null);

    private static CapturedOutput StringBatch(string[] strings) =>
        new("s", TensorElementType.String, new long[] { strings.Length }, Array.Empty<double>(), strings);

    /// <summary>Seeded scores and a pruned version that moved a little, some rows enough to change their argmax.</summary>
    private static (float[] Original, float[] Pruned) Scores(int count, int seed)
    {
        var random = new Random(seed);
        var original = Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var pruned = original.Select(v => v + (float)((random.NextDouble() - 0.5) * 0.8)).ToArray();
        return (original, pruned);
    }

    private static float[] SoftmaxRows(float[] values, int width)
    {
        var result = new float[values.Length];
        for (var row = 0; row < values.Length; row += width)
        {
            var exp = values.Skip(row).Take(width).Select(v => Math.Exp(v)).ToArray();
            var sum = exp.Sum();
            for (var c = 0; c < width; c++) result[row + c] = (float)(exp[c] / sum);
        }

        return result;
    }

    /// <summary>Every field equal to the bit (records compare doubles with Equals), the shape by its values.</summary>
    private static void AssertSame(OutputDeviation whole, OutputDeviation streamed)
    {
        Assert.Equal(whole.Shape, streamed.Shape);
        Assert.Equal(whole, streamed with { Shape = whole.Shape });
    }
}
