using System.Text.Json;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Robustness;

/// <summary>
/// An output that is a file the run reads (the model's external data, calibration or evaluation data), or another
/// output of the same run, used to be overwritten silently (exit 0). Now each is a coded error naming both paths,
/// raised before anything is written: the user's file keeps its bytes.
/// </summary>
public sealed class OutputCollisionTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly string _calibration;
    private readonly string _evaluation;

    public OutputCollisionTests()
    {
        FixtureModels.WriteExternalDataModel(_folder.Path);
        _model = _folder.File(FixtureModels.ExternalModelFileName);
        _calibration = _folder.File("calibration.npy");
        NumpyFiles.WriteNpy(_calibration, NpyTestArray.Float32(new float[32 * 16], 32, 16));
        _evaluation = _folder.File("evaluation.npz");
        NumpyFiles.WriteNpz(_evaluation, compressed: false, ("input", NpyTestArray.Float32(new float[8 * 16], 8, 16)));
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_output_naming_the_models_external_data_file_is_MP1014_and_the_file_is_kept()
    {
        var weights = _folder.File(FixtureModels.ExternalWeightsFileName);

        AssertRefused("MP1014", weights, weights, "-o", weights, "--no-cache");
    }

    [Fact]
    public void An_output_naming_the_calibration_data_is_MP1014_and_the_file_is_kept()
    {
        AssertRefused("MP1014", _calibration, _calibration, "-o", _calibration, "--method", "wanda", "--calibration-data", _calibration, "--no-cache");
    }

    [Fact]
    public void A_report_naming_the_evaluation_data_is_MP1014_and_the_file_is_kept()
    {
        AssertRefused("MP1014", _evaluation, _evaluation, "-o", _folder.File("out/model.onnx"), "--report", _evaluation, "--evaluation-data", _evaluation, "--no-cache");
    }

    [Fact]
    public void A_report_naming_the_output_model_is_MP1088()
    {
        var output = _folder.File("out/model.onnx");

        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--report", output, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1088:", text);
        Assert.False(File.Exists(output), "nothing may be written");
    }

    [Fact]
    public void An_output_reached_through_a_symbolic_link_to_the_model_is_MP1014()
    {
        var link = _folder.File("link.onnx");
        File.CreateSymbolicLink(link, _model);

        AssertRefused("MP1014", _model, _model, "-o", link, "--no-cache");
    }

    [Theory]
    [InlineData("")]
    [InlineData("out/")]
    [InlineData(".")]
    public void An_empty_or_folder_output_path_is_MP1089(string output)
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1089:", text);
    }

    [Fact]
    public void A_folder_given_as_the_model_is_MP1001_saying_it_is_a_folder()
    {
        var (exitCode, text) = EngineCli.Run("prune", _folder.Path, "-o", _folder.File("out/model.onnx"), "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1001:", text);
        Assert.Contains("is a folder", text);
    }

    /// <summary>The MSBuild task's path: the same check on the paths of the request.</summary>
    [Fact]
    public void A_request_whose_summary_is_the_calibration_data_is_MP1014()
    {
        var job = RequestJob.For(_folder, _model, "Models/external.onnx", "external", new { Method = "wanda", CalibrationData = _calibration });
        var json = JsonSerializer.SerializeToNode(job)!;
        json["summary"] = _calibration;
        var request = _folder.File("request.json");
        File.WriteAllText(request, JsonSerializer.Serialize(new { cacheEnabled = false, models = new[] { json } }));
        var before = File.ReadAllBytes(_calibration);

        var (exitCode, text) = EngineCli.Run("batch", request);

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1014:", text);
        Assert.Equal(before, File.ReadAllBytes(_calibration));
    }

    private void AssertRefused(string code, string kept, string named, params string[] options)
    {
        var before = File.ReadAllBytes(kept);

        var (exitCode, text) = EngineCli.Run(new[] { "prune", _model }.Concat(options).ToArray());

        Assert.Equal(1, exitCode);
        Assert.Contains($"error {code}:", text);
        Assert.Contains(named, text);
        Assert.Equal(before, File.ReadAllBytes(kept));
    }
}
