namespace ModelPrune.Engine.Pipeline;

/// <summary>One model to prune and where its results go (all paths absolute).</summary>
public sealed record ModelJob(
    string ModelPath,
    string DisplayName,
    string OutputPath,
    string ReportPath,
    string MarkdownPath,
    string RunInfoPath,
    RawSettings Settings,
    string? BaseDirectory = null)
{
    /// <summary>What relative paths in settings (calibration data) are relative to: the project folder, else the current one.</summary>
    public string ResolvedBaseDirectory => BaseDirectory ?? Environment.CurrentDirectory;

    /// <summary>The CLI's defaults: <c>x.onnx</c> → <c>x.prune.json</c>, <c>x.prune.summary</c>, <c>x.prune.md</c>, <c>x.prune.run.json</c>.</summary>
    public static ModelJob WithDefaultReportPaths(string modelPath, string outputPath, string? reportPath, RawSettings settings)
    {
        var output = Path.GetFullPath(outputPath);
        var report = reportPath is null
            ? Path.Combine(Path.GetDirectoryName(output)!, Path.GetFileNameWithoutExtension(output) + ".prune.json")
            : Path.GetFullPath(reportPath);
        var stem = report.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? report[..^5] : report;
        return new ModelJob(Path.GetFullPath(modelPath), modelPath, output, report, stem + ".md", stem + ".run.json", settings);
    }

    /// <summary>
    /// <c>x.prune.json</c> → <c>x.prune.summary</c>: derived from the report path, so the request format stays as
    /// it is and the task knows the name without being told.
    /// </summary>
    public string SummaryPath => (ReportPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReportPath[..^5] : ReportPath) + ".summary";

    /// <summary>The self-contained HTML page, beside the Markdown: <c>x.prune.md</c> → <c>x.prune.html</c>.</summary>
    public string HtmlPath => Path.ChangeExtension(MarkdownPath, ".html");

    public IEnumerable<string> Outputs => new[] { OutputPath, ReportPath, SummaryPath, MarkdownPath, HtmlPath, RunInfoPath };
}
