using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Reporting;

public sealed class SummaryLineTests
{
    [Fact]
    public void FullLineFromCache()
    {
        Assert.Equal(
            "ModelPrune: Models/classifier.onnx -> 40.0% sparse (magnitude, unstructured), 2 layers, rel. L2 0.0123, top-1 agreement 98.0%, from cache",
            SummaryLine.Format("Models/classifier.onnx", SampleReports.Classifier(), "hit"));
    }

    [Theory]
    [InlineData("miss")]
    [InlineData("disabled")]
    [InlineData("replaced-corrupt")]
    public void FromCacheOnlyOnHit(string cache)
    {
        Assert.EndsWith("top-1 agreement 98.0%", SummaryLine.Format("m.onnx", SampleReports.Classifier(), cache));
    }

    [Fact]
    public void NoTop1WhenNoOutputHasIt()
    {
        Assert.Equal(
            "ModelPrune: m.onnx -> 40.0% sparse (magnitude, unstructured), 2 layers, rel. L2 0.0123",
            SummaryLine.Format("m.onnx", SampleReports.Classifier(withTop1: false), "miss"));
    }

    [Fact]
    public void OneLayerIsSingular()
    {
        var report = SampleReports.Classifier();
        report = report with { Totals = report.Totals with { LayersPruned = 1 } };

        Assert.Contains(", 1 layer, ", SummaryLine.Format("m.onnx", report, "miss"));
    }
}
