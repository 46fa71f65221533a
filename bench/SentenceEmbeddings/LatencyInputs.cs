using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SentenceEmbeddings;

/// <summary>
/// One batch of inputs that both timed models run on, built once so the timing holds no input preparation:
/// MiniLM's tokens for the first sentences of a file (padded to the longest of them, not to the tokenizer's
/// fixed length), or seeded uniform [0, 1) floats of the model's input shapes with the batch axis set.
/// </summary>
internal sealed class LatencyInputs : IDisposable
{
    private static readonly string[] TokenInputs = { "input_ids", "attention_mask", "token_type_ids" };
    private readonly OrtValue[] _values;

    private LatencyInputs(string[] names, OrtValue[] values, string description)
    {
        Names = names;
        _values = values;
        Description = description;
    }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<OrtValue> Values => _values;

    /// <summary>What the batch is, for the output: "32 sentences × 20 tokens" or "pixels [32, 1, 8, 8]".</summary>
    public string Description { get; }

    /// <summary>Sequence positions of a token batch; 0 for random inputs.</summary>
    public int SequenceLength { get; private init; }

    public static LatencyInputs FromSentences(IReadOnlyList<string> sentences, int batchSize, IReadOnlyDictionary<string, NodeMetadata> modelInputs)
    {
        if (sentences.Count < batchSize) throw new InvalidDataException($"batch {batchSize} needs {batchSize} sentences; the file has {sentences.Count}");
        var unknown = modelInputs.Keys.Except(TokenInputs).ToArray();
        if (unknown.Length > 0) throw new InvalidDataException($"the model has inputs the tokenizer does not make: {string.Join(", ", unknown)}");

        var batch = MiniLmTokenizer.Create().EncodeBatch(sentences.Take(batchSize).ToList()).PaddedToLongest();
        var arrays = new Dictionary<string, long[]>
        {
            ["input_ids"] = batch.InputIds,
            ["attention_mask"] = batch.AttentionMask,
            ["token_type_ids"] = batch.TokenTypeIds,
        };
        var names = TokenInputs.Where(modelInputs.ContainsKey).ToArray();
        var values = names.Select(name => OrtValue.CreateTensorValueFromMemory(arrays[name], batch.Shape)).ToArray();
        return new LatencyInputs(names, values, $"{batch.Count} sentences × {batch.SequenceLength} tokens") { SequenceLength = batch.SequenceLength };
    }

    public static LatencyInputs Random(IReadOnlyDictionary<string, NodeMetadata> modelInputs, int batchSize, int seed)
    {
        var random = new Random(seed);
        var names = new List<string>();
        var values = new List<OrtValue>();
        var shapes = new List<string>();
        foreach (var (name, metadata) in modelInputs)
        {
            if (!metadata.IsTensor || metadata.ElementDataType != TensorElementType.Float)
            {
                throw new InvalidDataException($"input '{name}' is not a float tensor: random inputs are floats only (MiniLM's token inputs need --sentences)");
            }

            var shape = metadata.Dimensions.Select(dim => (long)dim).ToArray();
            if (shape.Length == 0) throw new InvalidDataException($"input '{name}' is a scalar: there is no batch axis to set");
            shape[0] = batchSize;
            for (var axis = 1; axis < shape.Length; axis++)
            {
                if (shape[axis] <= 0) throw new InvalidDataException($"input '{name}' axis {axis} is '{metadata.SymbolicDimensions[axis]}', not a fixed size: only the batch axis may be symbolic");
            }

            var data = new float[shape.Aggregate(1L, (product, dim) => product * dim)];
            for (var i = 0; i < data.Length; i++) data[i] = random.NextSingle();
            names.Add(name);
            values.Add(OrtValue.CreateTensorValueFromMemory(data, shape));
            shapes.Add($"{name} [{string.Join(", ", shape)}]");
        }

        return new LatencyInputs(names.ToArray(), values.ToArray(), string.Join(", ", shapes));
    }

    public void Dispose()
    {
        foreach (var value in _values) value.Dispose();
    }
}
