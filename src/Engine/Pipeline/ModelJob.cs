using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// One model to prune and every path its results go to (all absolute). The MSBuild targets compute the paths
/// once and the request carries them all; only the command line derives them, in <see cref="WithDefaultReportPaths"/>.
/// </summary>
internal sealed record ModelJob(
    string ModelPath,
    string DisplayName,
    string OutputPath,
    string ReportPath,
    string SummaryPath,
    string MarkdownPath,
    string HtmlPath,
    string RunInfoPath,
    RawSettings Settings,
    string? BaseDirectory = null)
{
    /// <summary>What relative paths in settings (calibration data) are relative to: the project folder, else the current one.</summary>
    public string ResolvedBaseDirectory => BaseDirectory ?? Environment.CurrentDirectory;

    /// <summary>
    /// The command line's defaults: <c>x.onnx</c> → <c>x.prune.json</c>, and beside the report <c>x.prune.summary</c>,
    /// <c>x.prune.md</c>, <c>x.prune.html</c> and <c>x.prune.run.json</c>.
    /// </summary>
    public static ModelJob WithDefaultReportPaths(string modelPath, string outputPath, string? reportPath, RawSettings settings)
    {
        var output = Path.GetFullPath(outputPath);
        var report = reportPath is null
            ? Path.Combine(Path.GetDirectoryName(output)!, Path.GetFileNameWithoutExtension(output) + ".prune.json")
            : Path.GetFullPath(reportPath);
        var stem = report.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? report[..^5] : report;
        return new ModelJob(Path.GetFullPath(modelPath), modelPath, output, report, stem + ".summary", stem + ".md", stem + ".html", stem + ".run.json", settings);
    }

    /// <summary>
    /// Where the pruned model's tensors go when it is written with external data (<c>x.onnx</c> → <c>x.onnx.data</c>, the
    /// name the model refers to). An output of every run: one that writes the model in one piece deletes an earlier data file.
    /// </summary>
    public string ExternalDataPath => ExternalDataLayout.DataPathFor(OutputPath);

    public IEnumerable<string> Outputs => new[] { OutputPath, ExternalDataPath, ReportPath, SummaryPath, MarkdownPath, HtmlPath, RunInfoPath };
}
