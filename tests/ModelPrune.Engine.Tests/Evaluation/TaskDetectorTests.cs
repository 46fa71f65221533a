using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Tests.Evaluation;

public sealed class TaskDetectorTests
{
    [Theory]
    [InlineData(new long[] { 4, 10 }, false, EvaluationTask.Classification)]
    [InlineData(new long[] { 4, 1000 }, true, EvaluationTask.Classification)]
    [InlineData(new long[] { 4, 384 }, false, EvaluationTask.Embedding)]
    [InlineData(new long[] { 4, 16, 384 }, false, EvaluationTask.Embedding)]
    [InlineData(new long[] { 4, 16, 30522 }, true, EvaluationTask.LanguageModel)]
    [InlineData(new long[] { 4, 16, 30522 }, false, EvaluationTask.TokenClassification)]
    [InlineData(new long[] { 4, 16, 8192 }, false, EvaluationTask.Embedding)]
    [InlineData(new long[] { 4, 1 }, false, EvaluationTask.Regression)]
    [InlineData(new long[] { 4 }, false, EvaluationTask.Regression)]
    [InlineData(new long[] { 2, 3, 8, 8 }, false, EvaluationTask.Regression)]
    public void Auto_reads_the_shape_and_whether_there_are_labels(long[] shape, bool hasLabels, object expected)
    {
        var choice = TaskDetector.Choose(EvaluationTask.Auto, shape, isFloatingPoint: true, hasLabels);

        Assert.Equal((EvaluationTask)expected, choice.Task);
        Assert.StartsWith("auto: ", choice.Reason);
    }

    /// <summary>The OCR recogniser of issue 12: a softmax over 6625 characters at 40 positions is not an embedding.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Position_rows_that_are_probabilities_are_token_classification_with_or_without_labels(bool hasLabels)
    {
        var choice = TaskDetector.Choose(EvaluationTask.Auto, new long[] { 4, 40, 6625 }, isFloatingPoint: true, hasLabels, rowsAreProbabilities: true);

        Assert.Equal(EvaluationTask.TokenClassification, choice.Task);
    }

    [Fact]
    public void Probability_rows_are_recognised_within_float_rounding_only()
    {
        Assert.True(TaskDetector.RowsAreProbabilities(new[] { 0.25, 0.75, 0.5, 0.5000004 }, 2));
        Assert.False(TaskDetector.RowsAreProbabilities(new[] { 0.25, 0.75, 0.5, 0.6 }, 2));
        Assert.False(TaskDetector.RowsAreProbabilities(new[] { -0.25, 1.25 }, 2));
        Assert.False(TaskDetector.RowsAreProbabilities(new[] { double.NaN, 1 }, 2));
    }

    [Fact]
    public void A_requested_token_classification_needs_positions()
    {
        Assert.Equal(EvaluationTask.TokenClassification, TaskDetector.Choose(EvaluationTask.TokenClassification, new long[] { 4, 16, 384 }, isFloatingPoint: true, hasLabels: false).Task);
        Assert.Equal(EvaluationTask.Regression, TaskDetector.Choose(EvaluationTask.TokenClassification, new long[] { 4, 10 }, isFloatingPoint: true, hasLabels: false).Task);
    }

    [Fact]
    public void The_reason_is_the_same_text_every_time()
    {
        Assert.Equal(
            "auto: [4, 10] is [batch, classes] with labels",
            TaskDetector.Choose(EvaluationTask.Auto, new long[] { 4, 10 }, isFloatingPoint: true, hasLabels: true).Reason);
    }

    [Fact]
    public void A_requested_task_applies_where_the_shape_fits()
    {
        var choice = TaskDetector.Choose(EvaluationTask.Classification, new long[] { 4, 384 }, isFloatingPoint: true, hasLabels: false);

        Assert.Equal(EvaluationTask.Classification, choice.Task);
        Assert.Equal("Task=\"classification\" was requested", choice.Reason);
    }

    [Fact]
    public void A_requested_task_that_does_not_fit_falls_back_to_the_generic_metrics()
    {
        var choice = TaskDetector.Choose(EvaluationTask.LanguageModel, new long[] { 4, 16, 100 }, isFloatingPoint: true, hasLabels: false);

        Assert.Equal(EvaluationTask.Regression, choice.Task);
        Assert.Contains("needs labels", choice.Reason);
    }

    [Fact]
    public void Integer_outputs_get_the_generic_metrics()
    {
        Assert.Equal(EvaluationTask.Regression, TaskDetector.Choose(EvaluationTask.Auto, new long[] { 4, 10 }, isFloatingPoint: false, hasLabels: true).Task);
    }
}
