using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings;

/// <summary>
/// Sentence embeddings the way sentence-transformers makes them for all-MiniLM-L6-v2: last_hidden_state
/// averaged over the real (attention-mask) tokens, then L2-normalised, so a dot product is a cosine.
/// </summary>
internal sealed class SentenceEmbedder : IDisposable
{
    private const string OutputName = "last_hidden_state";
    private readonly InferenceSession _session;

    public SentenceEmbedder(string modelPath)
    {
        // Default options on purpose: dense and pruned models run under the same ones, which is all a comparison needs.
        _session = new InferenceSession(modelPath);
    }

    public float[][] Embed(TokenBatch batch)
    {
        using var inputIds = OrtValue.CreateTensorValueFromMemory(batch.InputIds, batch.Shape);
        using var attentionMask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, batch.Shape);
        using var tokenTypeIds = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, batch.Shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(
            runOptions,
            new[] { "input_ids", "attention_mask", "token_type_ids" },
            new[] { inputIds, attentionMask, tokenTypeIds },
            new[] { OutputName });

        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 3 || shape[0] != batch.Count || shape[1] != batch.SequenceLength)
        {
            throw new InvalidDataException($"{OutputName} has shape [{string.Join(", ", shape)}], expected [{batch.Count}, {batch.SequenceLength}, hidden]");
        }

        var width = (int)shape[2];
        var embeddings = new float[batch.Count][];
        for (var row = 0; row < batch.Count; row++)
        {
            // Accumulate in double: 32 positions is few, but the cosine we report is read to 1e-6.
            var sum = new double[width];
            var tokens = 0;
            for (var position = 0; position < batch.SequenceLength; position++)
            {
                if (batch.AttentionMask[row * batch.SequenceLength + position] == 0) continue;
                tokens++;
                var vector = hidden.Slice((row * batch.SequenceLength + position) * width, width);
                for (var i = 0; i < width; i++) sum[i] += vector[i];
            }

            var norm = Math.Sqrt(sum.Sum(v => (v / tokens) * (v / tokens)));
            embeddings[row] = sum.Select(v => (float)(v / tokens / Math.Max(norm, 1e-12))).ToArray();
        }

        return embeddings;
    }

    public void Dispose() => _session.Dispose();
}
