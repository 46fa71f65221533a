using System.Text.RegularExpressions;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Reporting;

public sealed class ReportHtmlTests
{
    [Fact]
    public void The_page_is_self_contained_and_has_one_sparsity_bar_per_layer()
    {
        var html = ReportHtml.Render(SampleReports.Classifier());

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Single(Regex.Matches(html, "<svg "));
        Assert.Equal(4, Regex.Matches(html, "<rect class=\"bar\"").Count);
        // Nothing to fetch: no scripts, no external stylesheets, fonts or images.
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("url(", html);
    }

    [Fact]
    public void Names_are_escaped_and_non_pruned_layers_say_why()
    {
        var report = SampleReports.Classifier();
        var odd = report with { Layers = report.Layers.Select((l, i) => i == 0 ? l with { Name = "<script>alert(1)</script>&" } : l).ToArray() };

        var html = ReportHtml.Render(odd);

        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;", html);
        // WebUtility.HtmlEncode writes Latin-1 characters such as the middle dot as numeric references.
        Assert.Contains("head.weight|bias &#183; MatMul_9 (excluded)", html);
        Assert.Contains("excluded: matched Exclude &#39;head.*&#39;", html);
    }

    [Fact]
    public void Calibrated_reports_add_an_error_chart_with_fitted_and_held_out_bars()
    {
        var report = SampleReports.Classifier();
        var calibrated = report with
        {
            Layers = report.Layers.Select(l => l.Status == "pruned" ? l with { ReconstructionError = 0.0123, HeldOutError = 0.031 } : l).ToArray(),
        };

        var html = ReportHtml.Render(calibrated);

        Assert.Equal(2, Regex.Matches(html, "<svg ").Count);
        // 4 sparsity bars + 2 pruned layers × (fitted, held out).
        Assert.Equal(8, Regex.Matches(html, "<rect class=\"bar\"").Count);
        Assert.Contains(">0.0123<", html);
        Assert.Contains(">0.031<", html);
    }

    [Fact]
    public void Task_metrics_get_a_table_of_their_own()
    {
        var report = SampleReports.Classifier();
        var outputs = report.Evaluation.Outputs.ToArray();
        outputs[0] = outputs[0] with { Task = "classification", AccuracyOriginal = 0.96, AccuracyPruned = 0.955, Top5Agreement = 1 };
        var html = ReportHtml.Render(report with { Evaluation = report.Evaluation with { Outputs = outputs } });

        Assert.Contains("accuracy, original → pruned</td><td class=\"num\">96.0% → 95.5%", System.Net.WebUtility.HtmlDecode(html));
        Assert.Contains("top-5 agreement", html);
        Assert.DoesNotContain("perplexity", html);
    }

    [Fact]
    public void The_same_report_renders_to_the_same_bytes()
    {
        Assert.Equal(ReportHtml.Render(SampleReports.Classifier()), ReportHtml.Render(SampleReports.Classifier()));
    }

    [Fact]
    public void Bars_are_proportional_to_their_value()
    {
        var svg = new SvgBarChart("t", v => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)) { Maximum = 1 }
            .Series("s", "#000")
            .Row("half", 0.5)
            .Row("full", 1.0)
            .Render();

        var widths = Regex.Matches(svg, "class=\"bar\" x=\"\\d+\" y=\"[\\d.]+\" width=\"([\\d.]+)\"").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, widths.Length);
        Assert.Equal(widths[1] / 2, widths[0], 1);
    }
}
