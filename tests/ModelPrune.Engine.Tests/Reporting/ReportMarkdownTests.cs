using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Reporting;

public sealed class ReportMarkdownTests
{
    [Fact]
    public void Starts_with_title_and_summary_before_layers()
    {
        var markdown = ReportMarkdown.Render(SampleReports.Classifier(), null);

        Assert.StartsWith("# ModelPrune report: classifier.onnx\n\n| Model | Method | Sparsity | Key metric | Size | Size (gzip) |\n", markdown);
        var summary = markdown.IndexOf("## Summary", StringComparison.Ordinal);
        var layers = markdown.IndexOf("## Layers", StringComparison.Ordinal);
        var warnings = markdown.IndexOf("## Warnings", StringComparison.Ordinal);
        var evaluation = markdown.IndexOf("## Evaluation", StringComparison.Ordinal);
        Assert.True(summary < layers && layers < warnings && warnings < evaluation);
    }

    [Fact]
    public void Summary_has_the_headline_numbers()
    {
        var markdown = ReportMarkdown.Render(SampleReports.Classifier(), null);

        Assert.Contains("| Method | magnitude |\n", markdown);
        Assert.Contains("| Pattern | unstructured |\n", markdown);
        Assert.Contains("| Requested sparsity | 40.0% |\n", markdown);
        Assert.Contains("| Achieved sparsity (pruned layers) | 40.0% |\n", markdown);
        Assert.Contains("| Model-wide sparsity | 26.0% |\n", markdown);
        Assert.Contains("| Layers | 2 pruned, 1 excluded, 1 skipped |\n", markdown);
        Assert.Contains("| File size | 1.5 MiB → 1.5 MiB |\n", markdown);
        Assert.Contains("| Parameters → non-zero after pruning | 25,240 → 18,680 |\n", markdown);
        Assert.Contains("| Worst output relative L2 | 0.0123 |\n", markdown);
        Assert.Contains("| Worst output cosine | 0.999924 |\n", markdown);
        Assert.Contains("| Top-1 agreement (lowest output) | 98.0% |\n", markdown);
    }

    [Fact]
    public void The_first_table_gives_method_sparsity_key_metric_and_sizes()
    {
        var markdown = ReportMarkdown.Render(SampleReports.Classifier(), null);

        Assert.Contains("| `classifier.onnx` | magnitude, unstructured | 40.0% | accuracy 95.0% → 92.5% | 1.5 MiB → 1.5 MiB | 1.4 MiB → 891.0 KiB |\n", markdown);
        Assert.Contains("| Non-zero parameters before → after | 25,240 → 18,680 |\n", markdown);
    }

    [Fact]
    public void Estimated_gzip_sizes_say_so_in_Markdown_JSON_and_HTML_and_exact_ones_do_not()
    {
        var exact = SampleReports.Classifier();
        var estimated = exact with { Cost = exact.Cost! with { GzipEstimated = true } };

        Assert.Contains("| File size, gzip | 1.4 MiB → 891.0 KiB |\n", ReportMarkdown.Render(exact, null));
        Assert.Contains("| File size, gzip (estimated from sampled blocks) | 1.4 MiB → 891.0 KiB |\n", ReportMarkdown.Render(estimated, null));
        Assert.DoesNotContain("gzipEstimated", System.Text.Encoding.UTF8.GetString(ReportJson.Serialize(exact)));
        var json = ReportJson.Serialize(estimated);
        Assert.Contains("\"gzipEstimated\": true", System.Text.Encoding.UTF8.GetString(json));
        Assert.True(ReportJson.TryDeserialize(json)!.Cost!.GzipEstimated);
        Assert.Contains("Compressed (gzip, estimated from sampled blocks)", ReportHtml.Render(estimated));
    }

    [Fact]
    public void Task_metrics_are_listed_per_output()
    {
        var markdown = ReportMarkdown.Render(SampleReports.Classifier(), null);

        Assert.Contains("- `logits`: classification (auto: [4, 10] is [batch, classes] with labels)\n", markdown);
        Assert.Contains("| `logits` | accuracy vs `labels` | 95.0% | 92.5% |\n", markdown);
        Assert.Contains("| `logits` | top-5 agreement |  | 100.0% |\n", markdown);
        Assert.Contains("| `pooled` | nearest-neighbour agreement |  | 75.0% |\n", markdown);
        Assert.Contains("Evaluation data `Data/eval\\|set.npz`: 4 samples, labels `labels`.", markdown);
    }

    [Fact]
    public void Latency_is_in_the_run_section_only()
    {
        var with = ReportMarkdown.Render(SampleReports.Classifier(), SampleReports.Run());
        var run = with[with.IndexOf("## This run (not deterministic)", StringComparison.Ordinal)..];

        Assert.Contains("| Latency, original | 0.813 ms (median of 10 runs after 2 warm-ups, batch 4, cpu, optimised sessions timed in turns) |\n", run);
        Assert.DoesNotContain("Latency", ReportMarkdown.Render(SampleReports.Classifier(), null));
    }

    [Fact]
    public void Markdown_matches_snapshot()
    {
        Snapshooter.Xunit.Snapshot.Match(ReportMarkdown.Render(SampleReports.Classifier(), SampleReports.Run()).Split('\n'));
    }

    [Fact]
    public void Top1_row_only_when_an_output_has_it()
    {
        Assert.DoesNotContain("Top-1 agreement", ReportMarkdown.Render(SampleReports.Classifier(withTop1: false, withTasks: false), null));
    }

    [Fact]
    public void Layer_table_shows_status_reason_and_escapes_pipes()
    {
        var markdown = ReportMarkdown.Render(SampleReports.Classifier(), null);

        Assert.Contains("| `encoder.layer.0.dense.weight` | MatMul | [64, 128] | 8,192 | 40.0% | pruned |\n", markdown);
        Assert.Contains("| `head.weight\\|bias` | MatMul | [64, 10] | 640 | 0.0% | excluded: matched Exclude 'head.*' |\n", markdown);
        Assert.Contains("skipped: input dimension 27 is not a multiple of 4 |\n", markdown);
    }

    [Fact]
    public void Warnings_and_inputs_are_listed()
    {
        var markdown = ReportMarkdown.Render(SampleReports.Classifier(), null);

        Assert.Contains("- **MP1009**: Layer 'gewichte.größe' skipped", markdown);
        Assert.Contains("| `input_ids` | int64 | [4, 16] | uniform[0,30522) |\n", markdown);
        Assert.Contains("seed 42", markdown);
    }

    [Fact]
    public void Run_section_only_when_RunInfo_is_given()
    {
        var without = ReportMarkdown.Render(SampleReports.Classifier(), null);
        var with = ReportMarkdown.Render(SampleReports.Classifier(), SampleReports.Run("hit"));

        Assert.DoesNotContain("This run", without);
        Assert.StartsWith(without, with);
        var run = with[with.IndexOf("## This run (not deterministic)", StringComparison.Ordinal)..];
        Assert.Contains("| Cache | hit |\n", run);
        Assert.Contains("| Device | cpu (16 threads) |\n", run);
        Assert.Contains("| prune | 40.3 ms |\n", run);
    }

    [Fact]
    public void Uses_LF_and_ends_with_one_newline()
    {
        var markdown = ReportMarkdown.Render(SampleReports.Classifier(), SampleReports.Run());

        Assert.DoesNotContain('\r', markdown);
        Assert.EndsWith("|\n", markdown);
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        Assert.Equal(ReportMarkdown.Render(SampleReports.Classifier(), null), ReportMarkdown.Render(SampleReports.Classifier(), null));
    }
}
