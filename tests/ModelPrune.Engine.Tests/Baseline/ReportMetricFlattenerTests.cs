using System.Text.Json;
using ModelPrune.Engine.Baseline;

namespace ModelPrune.Engine.Tests.Baseline;

public sealed class ReportMetricFlattenerTests
{
    [Fact]
    public void Metrics_are_found_by_path_with_array_elements_named_and_everything_else_left_out()
    {
        var report = BaselineReports.Node();
        report.Layer(0)["reconstructionError"] = 0.0123;
        report["timings"] = new System.Text.Json.Nodes.JsonObject { ["prune"] = 3.5 };
        using var document = JsonDocument.Parse(report.ToJsonString());

        var metrics = ReportMetricFlattener.Flatten(document.RootElement);

        Assert.Equal(
            new[]
            {
                "evaluation.outputs[logits].cosine",
                "evaluation.outputs[logits].maxAbs",
                "evaluation.outputs[logits].relativeL2",
                "evaluation.outputs[logits].top1Agreement",
                "layers[W1].reconstructionError",
            },
            metrics.Keys.ToArray());
        Assert.Equal(MetricDirection.LowerIsBetter, metrics["layers[W1].reconstructionError"].Direction);
        Assert.Equal(0.971261, metrics["evaluation.outputs[logits].cosine"].Value);
    }

    [Fact]
    public void Elements_without_unique_names_are_addressed_by_index()
    {
        using var document = JsonDocument.Parse("""{ "schema": "modelprune.report/1", "tasks": [ { "accuracy": 0.9 }, { "accuracy": 0.8 } ] }""");

        var metrics = ReportMetricFlattener.Flatten(document.RootElement);

        Assert.Equal(new[] { "tasks[0].accuracy", "tasks[1].accuracy" }, metrics.Keys.ToArray());
    }
}
