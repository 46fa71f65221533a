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

    /// <summary>The baseline gate holds a quantized layer to its quantization error like any reconstruction error.</summary>
    [Fact]
    public void A_layers_quantization_errors_are_lower_is_better_metrics_and_its_format_is_not_a_metric()
    {
        var report = BaselineReports.Node();
        report.Layer(0)["quantization"] = new System.Text.Json.Nodes.JsonObject
        {
            ["format"] = "MatMulNBits", ["bits"] = 4, ["groupSize"] = 32, ["symmetric"] = false, ["method"] = "gptq",
            ["error"] = 0.002, ["heldOutError"] = 0.0025,
        };
        using var document = JsonDocument.Parse(report.ToJsonString());

        var metrics = ReportMetricFlattener.Flatten(document.RootElement);

        Assert.Equal(MetricDirection.LowerIsBetter, metrics["layers[W1].quantization.error"].Direction);
        Assert.Equal(MetricDirection.LowerIsBetter, metrics["layers[W1].quantization.heldOutError"].Direction);
        Assert.DoesNotContain("layers[W1].quantization.bits", metrics.Keys);
        Assert.DoesNotContain("layers[W1].quantization.groupSize", metrics.Keys);
    }

    [Fact]
    public void Elements_without_unique_names_are_addressed_by_index()
    {
        using var document = JsonDocument.Parse("""{ "schema": "modelprune.report/1", "tasks": [ { "accuracy": 0.9 }, { "accuracy": 0.8 } ] }""");

        var metrics = ReportMetricFlattener.Flatten(document.RootElement);

        Assert.Equal(new[] { "tasks[0].accuracy", "tasks[1].accuracy" }, metrics.Keys.ToArray());
    }
}
