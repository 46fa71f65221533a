using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// The methods on a decoder-only transformer in the LLaMA layout (RMSNorm, rotary attention with grouped key/value
/// heads, gated MLP), read from a model with external data, judged by perplexity on labelled token sequences.
/// </summary>
public sealed class LlamaLayoutTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly string _tokens;
    private readonly string _calibration;

    public LlamaLayoutTests()
    {
        _model = _folder.File(LlamaFixtures.FileName);
        LlamaFixtures.WriteWithExternalData(_model, LlamaConfig.Small);
        _tokens = _folder.File(LlamaFixtures.TokensFileName);
        LlamaFixtures.WriteTokens(_tokens, LlamaConfig.Small, sequences: 8, length: 32, seed: 1);
        _calibration = _folder.File(LlamaFixtures.CalibrationFileName);
        LlamaFixtures.WriteTokens(_calibration, LlamaConfig.Small, sequences: 16, length: 32, seed: 2, labels: false);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>The fixture is causal: changing the last token changes no logit before it.</summary>
    [Fact]
    public void The_fixture_is_a_causal_language_model()
    {
        var ids = Enumerable.Range(0, 12).Select(i => (long)((i * 37) % LlamaConfig.Small.Vocabulary)).ToArray();
        var changed = ids.ToArray();
        changed[^1] = (changed[^1] + 1) % LlamaConfig.Small.Vocabulary;

        using var session = new InferenceSession(_model);
        float[] Logits(long[] tokens)
        {
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens, new[] { 1, tokens.Length })) });
            return results.Single().AsEnumerable<float>().ToArray();
        }

        var before = Logits(ids);
        var after = Logits(changed);
        var vocabulary = LlamaConfig.Small.Vocabulary;
        Assert.Equal(before[..^vocabulary], after[..^vocabulary]);
        Assert.NotEqual(before[^vocabulary..], after[^vocabulary..]);
    }

    [Theory]
    [InlineData("wanda", "--method", "wanda", "--sparsity", "0.5")]
    [InlineData("sparsegpt-int4", "--method", "sparsegpt", "--sparsity", "0.5", "--quantize", "int4")]
    [InlineData("neurons", "--structure", "neurons", "--sparsity", "0.3")]
    public void Each_method_runs_on_the_layout_and_reports_perplexity(string name, params string[] options)
    {
        var report = Prune(name, options);
        var output = report.GetProperty("evaluation").GetProperty("outputs")[0];

        Assert.Equal("language-model", output.GetProperty("task").GetString());
        Assert.True(output.GetProperty("perplexityOriginal").GetDouble() > 1);
        Assert.True(output.GetProperty("perplexityPruned").GetDouble() > 1);
        if (report.TryGetProperty("structured", out var structured))
        {
            // The gated MLP's neurons (gate_proj and up_proj rows, down_proj columns) are removed in every layer.
            Assert.True(structured.GetProperty("removedFraction").GetDouble() > 0.1);
            Assert.Equal(LlamaConfig.Small.Layers, structured.GetProperty("groups").EnumerateArray().Count(g => g.GetProperty("status").GetString() == "pruned"));
        }
        else
        {
            // Every projection and the lm_head, in every layer: 7 per layer + 1.
            Assert.Equal((7 * LlamaConfig.Small.Layers) + 1, report.GetProperty("layers").EnumerateArray().Count(l => l.GetProperty("sparsity").GetDouble() > 0.49));
        }
    }

    /// <summary>
    /// A head group is a key/value head with the query heads it serves (through rotary embedding and repeat_kv's
    /// Expand): at 50% one of the two groups of each layer goes, from q, k, v and o alike, and the model still runs.
    /// </summary>
    [Fact]
    public void Grouped_query_heads_are_removed_through_rotary_embedding_and_repeat_kv()
    {
        var report = Prune("heads", "--structure", "heads", "--sparsity", "0.5");
        var groups = report.GetProperty("structured").GetProperty("groups").EnumerateArray().Where(g => g.GetProperty("kind").GetString() == "heads").ToArray();

        Assert.Equal(LlamaConfig.Small.Layers, groups.Length);
        Assert.All(groups, g =>
        {
            Assert.Equal("pruned", g.GetProperty("status").GetString());
            Assert.Equal(LlamaConfig.Small.KeyValueHeads, g.GetProperty("units").GetInt32());
            Assert.Equal(1, g.GetProperty("unitsKept").GetInt32());
            Assert.Contains(g.GetProperty("producers").EnumerateArray(), p => p.GetString()!.EndsWith("k_proj.weight", StringComparison.Ordinal));
        });
        Assert.True(report.GetProperty("evaluation").GetProperty("outputs")[0].GetProperty("perplexityPruned").GetDouble() > 1);
    }

    private JsonElement Prune(string name, params string[] options)
    {
        var path = _folder.File($"{name}/llama.onnx");
        var calibration = options.Contains("wanda") || options.Contains("sparsegpt") ? new[] { "--calibration-data", _calibration } : Array.Empty<string>();
        var (exitCode, text) = EngineCli.Run(new[] { "prune", _model, "-o", path, "--no-cache", "--device", "cpu", "--evaluation", _tokens, "--measure-latency", "false" }
            .Concat(calibration).Concat(options).ToArray());
        Assert.True(exitCode == 0, text);
        return JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(path, ".prune.json"))).RootElement.Clone();
    }
}
