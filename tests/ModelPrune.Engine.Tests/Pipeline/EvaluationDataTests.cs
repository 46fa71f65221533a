using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>EvaluationData with labels on the trained sample classifier, checked against ONNX Runtime run here.</summary>
public sealed class EvaluationDataTests : IDisposable
{
    private const int Samples = 200;
    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly string _evaluation;
    private readonly float[] _pixels;
    private readonly long[] _labels;

    public EvaluationDataTests()
    {
        _model = ModelFiles.Write(_folder, "classifier.onnx", FixtureModels.ClassifierSample());
        var (pixels, labels) = FixtureModels.ClassifierSampleData(Samples, seed: 99);
        _pixels = pixels;
        _labels = labels.Select(l => (long)l).ToArray();
        _evaluation = _folder.File("evaluation.npz");
        NumpyFiles.WriteNpz(_evaluation, compressed: true,
            ("pixels", NpyTestArray.Float32(pixels, Samples, 64)),
            ("labels", NpyTestArray.Int64(_labels, Samples)));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// MeasureLatency="true" times both models; "false", and "auto" on unstructured pruning (whose zeros ONNX Runtime
    /// computes like any weight), skip the timing: the run file has no latency, the report is the same bytes. "auto"
    /// times a quantized model, which runs other kernels.
    /// </summary>
    [Fact]
    public void Measure_latency_true_times_the_models_false_and_auto_on_unstructured_pruning_do_not_and_the_report_stays_the_same()
    {
        var timed = _folder.File("timed/classifier.onnx");
        var untimed = _folder.File("untimed/classifier.onnx");
        var auto = _folder.File("auto/classifier.onnx");
        var quantized = _folder.File("quantized/classifier.onnx");
        var first = EngineCli.Run("prune", _model, "-o", timed, "--evaluation", _evaluation, "--no-cache", "--measure-latency", "true");
        var second = EngineCli.Run("prune", _model, "-o", untimed, "--evaluation", _evaluation, "--no-cache", "--measure-latency", "False");
        var third = EngineCli.Run("prune", _model, "-o", auto, "--evaluation", _evaluation, "--no-cache");
        var fourth = EngineCli.Run("prune", _model, "-o", quantized, "--evaluation", _evaluation, "--no-cache", "--quantize", "int8");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.True(fourth.ExitCode == 0, fourth.Output);

        JsonElement Run(string output) => JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.run.json"))).RootElement;
        bool Timed(string output) => Run(output).TryGetProperty("latency", out var latency) && latency.ValueKind == JsonValueKind.Object;
        Assert.True(Timed(timed));
        Assert.False(Timed(untimed));
        Assert.False(Timed(auto));
        Assert.True(Timed(quantized));
        Assert.Equal(File.ReadAllBytes(Path.ChangeExtension(timed, ".prune.json")), File.ReadAllBytes(Path.ChangeExtension(untimed, ".prune.json")));
        Assert.Equal(File.ReadAllBytes(Path.ChangeExtension(timed, ".prune.json")), File.ReadAllBytes(Path.ChangeExtension(auto, ".prune.json")));
    }

    [Fact]
    public void Accuracy_of_both_models_and_their_agreement_match_onnx_runtime()
    {
        var output = _folder.File("out/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--sparsity", "0.7", "--evaluation", _evaluation, "--no-cache", "--measure-latency", "true");
        Assert.True(exitCode == 0, text);

        var report = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement;
        var evaluation = report.GetProperty("evaluation");
        Assert.Equal("evaluation data", evaluation.GetProperty("inputKind").GetString());
        Assert.Equal("auto", evaluation.GetProperty("task").GetString());
        Assert.Equal(Samples, evaluation.GetProperty("data").GetProperty("samples").GetInt32());
        Assert.Equal(new[] { "labels" }, evaluation.GetProperty("data").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(new long[] { Samples, 64 }, evaluation.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));

        var scores = evaluation.GetProperty("outputs")[0];
        Assert.Equal("classification", scores.GetProperty("task").GetString());
        Assert.Equal("auto: [200, 10] is [batch, classes] with labels", scores.GetProperty("taskReason").GetString());

        var originalAnswers = Answers(_model);
        var prunedAnswers = Answers(output);
        Assert.Equal(Share(originalAnswers, _labels), scores.GetProperty("accuracyOriginal").GetDouble(), 5);
        Assert.Equal(Share(prunedAnswers, _labels), scores.GetProperty("accuracyPruned").GetDouble(), 5);
        Assert.Equal(Share(prunedAnswers, originalAnswers), scores.GetProperty("top1Agreement").GetDouble(), 5);
        Assert.True(scores.GetProperty("accuracyOriginal").GetDouble() > 0.9, "the trained classifier should be accurate");
        Assert.True(scores.GetProperty("top5Agreement").GetDouble() >= scores.GetProperty("top1Agreement").GetDouble());
        Assert.True(scores.GetProperty("meanKlDivergence").GetDouble() > 0);

        var cost = report.GetProperty("cost");
        Assert.True(cost.GetProperty("gzipBytesAfter").GetInt64() < cost.GetProperty("gzipBytesBefore").GetInt64(), "the zeros should compress");
        Assert.True(cost.GetProperty("nonZeroParametersAfter").GetInt64() < cost.GetProperty("nonZeroParametersBefore").GetInt64());

        var run = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.run.json"))).RootElement;
        Assert.Equal(10, run.GetProperty("latency").GetProperty("runs").GetInt32());
        Assert.False(report.TryGetProperty("latency", out _));

        Assert.Contains("accuracy ", text);
        Assert.Contains(" gz", text);
    }

    [Fact]
    public void The_evaluation_file_joins_the_cache_key()
    {
        var cache = _folder.File("cache");
        var first = EngineCli.Run("prune", _model, "-o", _folder.File("a/classifier.onnx"), "--evaluation", _evaluation, "--cache-dir", cache);
        Assert.True(first.ExitCode == 0, first.Output);

        var other = _folder.File("other.npz");
        NumpyFiles.WriteNpz(other, compressed: false,
            ("pixels", NpyTestArray.Float32(_pixels[..(64 * 50)], 50, 64)),
            ("labels", NpyTestArray.Int64(_labels[..50], 50)));
        var second = EngineCli.Run("prune", _model, "-o", _folder.File("b/classifier.onnx"), "--evaluation", other, "--cache-dir", cache);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("from cache", second.Output);

        var again = EngineCli.Run("prune", _model, "-o", _folder.File("c/classifier.onnx"), "--evaluation", other, "--cache-dir", cache);
        Assert.Contains("from cache", again.Output);
    }

    [Fact]
    public void Evaluation_samples_caps_what_is_compared()
    {
        var output = _folder.File("capped/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--evaluation", _evaluation, "--evaluation-samples", "40", "--no-cache");
        Assert.True(exitCode == 0, text);

        var evaluation = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement.GetProperty("evaluation");
        Assert.Equal(40, evaluation.GetProperty("data").GetProperty("samples").GetInt32());
        Assert.Equal("evaluation data samples 1–40", evaluation.GetProperty("inputs")[0].GetProperty("values").GetString());
    }

    [Fact]
    public void Labels_past_the_classes_are_a_coded_error()
    {
        var bad = _folder.File("bad.npz");
        NumpyFiles.WriteNpz(bad, compressed: false,
            ("pixels", NpyTestArray.Float32(_pixels[..(64 * 4)], 4, 64)),
            ("labels", NpyTestArray.Int64(new long[] { 0, 1, 10, 2 }, 4)));

        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("bad/classifier.onnx"), "--evaluation", bad, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1054", text);
        Assert.False(File.Exists(_folder.File("bad/classifier.onnx")));
    }

    [Fact]
    public void An_extra_array_that_is_not_labels_is_still_refused()
    {
        var bad = _folder.File("extra.npz");
        NumpyFiles.WriteNpz(bad, compressed: false,
            ("pixels", NpyTestArray.Float32(_pixels[..(64 * 4)], 4, 64)),
            ("weights", NpyTestArray.Int64(new long[] { 0, 1, 1, 2 }, 4)));

        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("extra/classifier.onnx"), "--evaluation", bad, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains("error MP1024", text);
    }

    [Theory]
    [InlineData("--evaluation", "missing.npz", "MP1053")]
    [InlineData("--evaluation-samples", "0", "MP1051")]
    [InlineData("--task", "segmentation", "MP1052")]
    public void Bad_evaluation_settings_are_coded_errors(string option, string value, string code)
    {
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", _folder.File("err/classifier.onnx"), option, value, "--no-cache");

        Assert.Equal(1, exitCode);
        Assert.Contains($"error {code}", text);
    }

    [Fact]
    public void A_task_that_fits_no_output_is_warning_MP1055_in_the_report()
    {
        var output = _folder.File("lm/classifier.onnx");
        var (exitCode, text) = EngineCli.Run("prune", _model, "-o", output, "--task", "language-model", "--no-cache");
        Assert.True(exitCode == 0, text);

        Assert.Contains("warning MP1055", text);
        var report = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".prune.json"))).RootElement;
        Assert.Equal("MP1055", report.GetProperty("warnings")[0].GetProperty("code").GetString());
        Assert.Equal("regression", report.GetProperty("evaluation").GetProperty("outputs")[0].GetProperty("task").GetString());
    }

    private long[] Answers(string modelPath)
    {
        using var session = new InferenceSession(modelPath);
        using var input = OrtValue.CreateTensorValueFromMemory(_pixels, new long[] { Samples, 64 });
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { "pixels" }, new[] { input }, new[] { "scores" });
        var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return Enumerable.Range(0, Samples).Select(row =>
        {
            var best = 0L;
            for (var c = 1; c < 10; c++)
            {
                if (scores[row * 10 + c] > scores[row * 10 + best]) best = c;
            }

            return best;
        }).ToArray();
    }

    private static double Share<T>(IReadOnlyList<T> a, IReadOnlyList<T> b) => (double)a.Where((value, i) => EqualityComparer<T>.Default.Equals(value, b[i])).Count() / a.Count;
}
