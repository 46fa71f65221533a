using System.Runtime.InteropServices;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class EvaluationSampleSetTests
{
    [Fact]
    public void A_free_batch_axis_runs_every_sample_in_batches_of_32()
    {
        var set = EvaluationSampleSet.From(Data(70), fixedBatchSize: null)!;

        Assert.Equal(new[] { 32, 32, 6 }, set.Batches.Select(b => b.SampleCount));
        Assert.Equal(70, set.SampleCount);
        Assert.Equal("evaluation data samples 1–70", set.ValuesText);
        Assert.Equal(70, set.Labels.ForOutput("scores")!.Values.Length);
    }

    [Fact]
    public void A_fixed_batch_size_leaves_out_the_trailing_partial_batch_and_its_labels()
    {
        var set = EvaluationSampleSet.From(Data(10), fixedBatchSize: 4)!;

        Assert.Equal(new[] { 4, 4 }, set.Batches.Select(b => b.SampleCount));
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, set.Labels.ForOutput("scores")!.Values);
    }

    [Fact]
    public void Fewer_samples_than_one_fixed_batch_give_nothing()
    {
        Assert.Null(EvaluationSampleSet.From(Data(3), fixedBatchSize: 4));
    }

    [Fact]
    public void Labels_for_one_output_win_over_the_shared_labels()
    {
        var labels = new EvaluationLabels(new Dictionary<string, LabelArray>
        {
            ["labels"] = new("labels", new long[] { 1 }, new long[] { 0 }),
            ["labels_scores"] = new("labels_scores", new long[] { 1 }, new long[] { 1 }),
        });

        Assert.Equal("labels_scores", labels.ForOutput("scores")!.Name);
        Assert.Equal("labels", labels.ForOutput("other")!.Name);
        Assert.Null(EvaluationLabels.None.ForOutput("scores"));
    }

    private static EvaluationData Data(int samples)
    {
        var values = Enumerable.Range(0, samples * 2).Select(i => (float)i).ToArray();
        var array = new CalibrationArray("x", 1, new long[] { samples, 2 }, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        var labels = new EvaluationLabels(new Dictionary<string, LabelArray>
        {
            ["labels"] = new("labels", new long[] { samples }, Enumerable.Range(0, samples).Select(i => (long)i).ToArray()),
        });
        return new EvaluationData("eval.npz", "00", new CalibrationSet(new[] { array }, samples, "00", isSynthetic: false), labels);
    }
}
