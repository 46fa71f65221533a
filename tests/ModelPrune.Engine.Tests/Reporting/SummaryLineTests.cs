using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Reporting;

public sealed class SummaryLineTests
{
    [Fact]
    public void Full_line_from_cache()
    {
        Assert.Equal(
            "ModelPrune: Models/classifier.onnx -> 40.0% sparse (magnitude, unstructured), accuracy 95.0% -> 92.5%, 1.4 MiB -> 891.0 KiB gz, from cache",
            SummaryLine.Format("Models/classifier.onnx", SampleReports.Classifier(), "hit"));
    }

    [Theory]
    [InlineData("miss")]
    [InlineData("disabled")]
    [InlineData("replaced-corrupt")]
    public void From_cache_only_on_hit(string cache)
    {
        Assert.EndsWith("891.0 KiB gz", SummaryLine.Format("m.onnx", SampleReports.Classifier(), cache));
    }

    [Fact]
    public void Without_task_metrics_or_top1_the_worst_relative_l2_is_the_key_metric()
    {
        Assert.Equal(
            "ModelPrune: m.onnx -> 40.0% sparse (magnitude, unstructured), rel. L2 0.0123, 1.4 MiB -> 891.0 KiB gz",
            SummaryLine.Format("m.onnx", SampleReports.Classifier(withTop1: false, withTasks: false), "miss"));
    }

    [Fact]
    public void Agreement_when_there_are_no_labels()
    {
        var report = SampleReports.Classifier();
        var outputs = report.Evaluation.Outputs.Select(o => o with { AccuracyOriginal = null, AccuracyPruned = null }).ToArray();
        report = report with { Evaluation = report.Evaluation with { Outputs = outputs } };

        Assert.Contains(", top-1 agreement 98.0%, ", SummaryLine.Format("m.onnx", report, "miss"));
    }

    [Fact]
    public void Without_a_cost_section_no_size_is_printed()
    {
        Assert.DoesNotContain(" gz", SummaryLine.Format("m.onnx", SampleReports.Classifier() with { Cost = null }, "miss"));
    }
}
