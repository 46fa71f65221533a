using System.Text.RegularExpressions;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Reporting;

/// <summary>
/// The HTML report of a real calibrated run, opened in headless Chromium: the rendered page holds both charts
/// with every bar, and a laptop-sized screenshot is written. eng/test.sh installs Chromium where it can; without
/// it the test reports itself skipped rather than passed.
/// </summary>
public sealed class ReportHtmlRenderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableFact]
    public void Chromium_renders_both_charts_of_a_calibrated_report()
    {
        var chromium = HeadlessChromium.Executable;
        Skip.If(chromium is null, "Chromium is not installed (apt-get install chromium); eng/test.sh installs it when it can.");

        var model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSample());
        var (pixels, _) = FixtureModels.ClassifierSampleData(64, seed: 21);
        var calibration = _folder.File("calibration.npy");
        NumpyFiles.WriteNpy(calibration, NpyTestArray.Float32(pixels, 64, 64));
        var (exitCode, text) = EngineCli.Run("prune", model, "--method", "sparsegpt", "--calibration", calibration, "-o", _folder.File("out/classifier.onnx"), "--no-cache");
        Assert.True(exitCode == 0, text);
        var html = _folder.File("out/classifier.prune.html");

        var dom = HeadlessChromium.Run(chromium!, _folder.File("profile"), html, "--dump-dom");
        var screenshot = _folder.File("report.png");
        HeadlessChromium.Run(chromium!, _folder.File("profile"), html, "--window-size=1366,900", $"--screenshot={screenshot}");

        Assert.Equal(2, Regex.Matches(dom, "<svg ").Count);
        // 3 layers: 3 sparsity bars and 3 × (fitted, held out) error bars.
        Assert.Equal(9, Regex.Matches(dom, "<rect class=\"bar\"").Count);
        Assert.Contains("Reconstruction error per layer", dom);
        var png = File.ReadAllBytes(screenshot);
        Assert.True(png.Length > 10_000, $"the screenshot has only {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4));
    }
}
