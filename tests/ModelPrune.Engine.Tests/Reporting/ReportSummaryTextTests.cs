using System.Text;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Reporting;

public sealed class ReportSummaryTextTests
{
    [Fact]
    public void Headline_values_as_key_value_lines()
    {
        var text = Encoding.UTF8.GetString(ReportSummaryText.Serialize(SampleReports.Classifier()));

        Assert.Equal(
            """
            schema=modelprune.summary/1
            engineVersion=0.1.0
            method=magnitude
            sparsity=0.4
            pattern=unstructured
            layersPruned=2
            layersExcluded=1
            layersSkipped=1
            prunableParameters=16384
            prunableZeros=6554
            prunableSparsity=0.4000244140625
            modelParameters=25240
            modelZeros=6560
            modelSparsity=0.25990491283676703
            originalFileName=classifier.onnx
            originalBytes=1572864
            originalSha256=3f1c0a9b7e2d4c6a8b0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e
            prunedFileName=classifier.pruned.onnx
            prunedBytes=1572100
            prunedSha256=a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
            originalGzipBytes=1451000
            prunedGzipBytes=912345
            keyMetric=accuracy 95.0% -> 92.5%
            evaluationInputKind=synthetic
            outputs=2
            output.0.name=logits
            output.0.relativeL2=0.0123457
            output.0.cosine=0.999924
            output.0.maxAbs=0.0456
            output.0.top1Agreement=0.98
            output.0.task=classification
            output.0.accuracyOriginal=0.95
            output.0.accuracyPruned=0.925
            output.1.name=pooled
            output.1.relativeL2=0.00812
            output.1.cosine=0.999967
            output.1.maxAbs=0.0213
            output.1.task=embedding
            warnings=MP1009

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Line_breaks_in_values_are_escaped()
    {
        var report = SampleReports.Classifier();
        report = report with { Input = report.Input with { FileName = "a\nb\\c.onnx" } };

        var text = Encoding.UTF8.GetString(ReportSummaryText.Serialize(report));

        Assert.Contains("originalFileName=a\\nb\\\\c.onnx\n", text, StringComparison.Ordinal);
    }
}
